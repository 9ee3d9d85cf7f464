package dev.lockauditor.audit;

import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.StaleLocks;
import dev.lockauditor.config.Environments;
import static dev.lockauditor.audit.StateFixtures.BUCKET;
import static dev.lockauditor.audit.StateFixtures.KEY;
import static dev.lockauditor.audit.StateFixtures.LINEAGE;
import static dev.lockauditor.audit.StateFixtures.OTHER_LINEAGE;
import static dev.lockauditor.audit.StateFixtures.PATH;
import static dev.lockauditor.audit.StateFixtures.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.InMemoryBookkeeping;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.nio.charset.StandardCharsets;
import dev.lockauditor.history.Facts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketEventsTest {

    static final Instant T0 = Instant.parse("2025-03-14T09:26:53Z");
    static final StatePath STATE = new StatePath(PATH, BUCKET, KEY, "staging");

    final InMemoryBackend backend = new InMemoryBackend();
    final InMemoryHistoryStore history = new InMemoryHistoryStore();
    final List<Alert> published = new ArrayList<>();
    final TestTime time = new TestTime(T0);
    final InMemoryBookkeeping bookkeeping = new InMemoryBookkeeping();
    final TestLockStream stream = new TestLockStream();
    final BucketEvents auditor = auditor();

    BucketEventsTest() throws Exception {
    }

    BucketEvents auditor() {
        return Wiring.components(backend, history, bookkeeping, stream, published, time, Map.of()).bucketEvents();
    }

    /** Terraform's apply: lock, write the state, write the digest, unlock; returns the write's event. */
    ObjectEvent lockedApply(long serial, String lineage, Instant at) throws Exception {
        LockInfo lock = StateFixtures.lockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7%04d", serial), at.minusSeconds(20));
        StateFixtures.lockHistory(history, STATE, lock, at.minusSeconds(20), at.plusSeconds(1));
        String body = StateFixtures.terraformState(serial, lineage);
        InMemoryBackend.StoredObject object = backend.put(KEY, body, at);
        backend.digests.put(PATH, InMemoryBackend.md5(body));
        return StateFixtures.created(KEY, at, object.versionId(), "arn:aws:sts::123456789012:assumed-role/ci/runner");
    }

    /**
     * Audits an event as the state events queue delivers it: again at the time it asks to be brought back, until
     * every check is decided; returns what its first delivery recorded.
     */
    Recorded audit(ObjectEvent event) throws Exception {
        Outcome.Recorded first = assertInstanceOf(Outcome.Recorded.class, auditor.audit(event));
        Outcome.Recorded last = first;
        for (int delivery = 1; last.lookAgainAt() != null; delivery++) {
            assertTrue(delivery < 5, "decided within a few deliveries");
            time.recheckAt(last.lookAgainAt());
            last = assertInstanceOf(Outcome.Recorded.class, auditor.audit(event));
            assertEquals(List.of(), last.events(), "coming back records nothing new");
        }
        return new Recorded(first.events());
    }

    record Recorded(List<HistoryEvent> events) {
    }

    List<AlertType> alertTypes() {
        return published.stream().map(Alert::type).toList();
    }

    @Test
    void aCleanLockedApplyIsRecordedWithItsHeaderAndRaisesNothing() throws Exception {
        ObjectEvent write = lockedApply(7, LINEAGE, T0);
        time.advance(Duration.ofSeconds(2));

        HistoryEvent written = audit(write).events().get(0);

        assertEquals(EventType.STATE_WRITTEN, written.type());
        assertEquals(7L, written.fields().get("serial"));
        assertEquals(LINEAGE, written.fields().get("lineage"));
        assertEquals("1.11.2", written.fields().get("terraformVersion"));
        assertEquals(4L, written.fields().get("stateVersion"));
        assertEquals(100L, written.fields().get("size"));
        assertEquals("arn:aws:sts::123456789012:assumed-role/ci/runner", written.fields().get("writer"));
        assertEquals("192.0.2.10", written.fields().get("sourceIp"));
        assertEquals(write.versionId(), written.fields().get("versionId"));
        assertEquals(List.of(), alertTypes());
        assertEquals(List.of(), time.rechecks, "nothing to decide later");
        assertEquals(0, backend.md5Reads, "the ETag is the MD5 of a single-part upload");
    }

    @Test
    void openTofuCompactStatesAreReadToo() throws Exception {
        backend.put(KEY, StateFixtures.openTofuState(3, LINEAGE), T0);
        backend.locks.put(PATH, StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(5)));

        HistoryEvent written = audit(StateFixtures.created(KEY, T0, null, "tofu")).events().get(0);

        assertEquals(3L, written.fields().get("serial"));
        assertEquals("1.8.3", written.fields().get("terraformVersion"));
        assertEquals(List.of(), alertTypes());
    }

    @Test
    void anEncryptedOpenTofuStateIsRecordedWithItsPlainSerialAndLineageWithoutAnError() throws Exception {
        lockedApply(1, LINEAGE, T0.minusSeconds(600));
        audit(StateFixtures.created(KEY, T0.minusSeconds(600), null, "tofu"));
        backend.put(KEY, StateFixtures.encryptedState(2, LINEAGE), T0);
        backend.locks.put(PATH, StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(5)));
        backend.digests.remove(PATH);

        HistoryEvent written = audit(StateFixtures.created(KEY, T0, null, "tofu")).events().get(0);

        assertEquals(false, written.fields().get("headerReadable"));
        assertEquals("OpenTofu state encryption", written.fields().get("whyUnreadable"));
        assertEquals(2L, written.fields().get("serial"));
        assertFalse(written.fields().containsKey("stateVersion"));
        assertEquals(List.of(), alertTypes(), "neither a lineage change nor an error");
    }

    @Test
    void anEncryptedStatePushedBackOrReplacedIsCaughtLikeAnyOther() throws Exception {
        backend.locks.put(PATH, StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(3600)));
        backend.put(KEY, StateFixtures.encryptedState(12, LINEAGE), T0.minusSeconds(600));
        audit(StateFixtures.created(KEY, T0.minusSeconds(600), null, "tofu"));
        backend.put(KEY, StateFixtures.encryptedState(9, LINEAGE), T0.minusSeconds(300));
        audit(StateFixtures.created(KEY, T0.minusSeconds(300), null, "tofu"));
        backend.put(KEY, StateFixtures.encryptedState(1, OTHER_LINEAGE), T0);
        audit(StateFixtures.created(KEY, T0, null, "tofu"));

        assertEquals(List.of(AlertType.SERIAL_REGRESSION, AlertType.LINEAGE_CHANGED), alertTypes());
    }

    @Test
    void aDigestThatStaysWrongIsAMismatchOnceTheGraceIsOver() throws Exception {
        ObjectEvent write = lockedApply(8, LINEAGE, T0);
        backend.digests.put(PATH, "8b1a9953c4611296a827abf8c47804d7");

        audit(write);

        assertEquals(List.of(AlertType.DIGEST_MISMATCH), alertTypes());
        Alert alert = published.get(0);
        assertEquals("8b1a9953c4611296a827abf8c47804d7", alert.facts().get("expectedDigest"));
        assertEquals(InMemoryBackend.md5(StateFixtures.terraformState(8, LINEAGE)), alert.facts().get("actualDigest"));
        assertTrue(alert.remediation().contains("update the Digest value stored in the DynamoDB table to the calculated value "
                + alert.facts().get("actualDigest")), alert.remediation());
        assertTrue(alert.remediation().contains("aws dynamodb put-item --table-name terraform-locks"));
        assertEquals(List.of(T0.plusSeconds(30)), time.rechecks, "decided once the grace was over, not before");
    }

    @Test
    void aDigestWrittenLateWithinTheGraceIsNoMismatch() throws Exception {
        ObjectEvent write = lockedApply(8, LINEAGE, T0);
        String right = backend.digests.get(PATH);
        backend.digests.put(PATH, "8b1a9953c4611296a827abf8c47804d7");
        time.onRecheck(() -> {
            if (time.instant().isAfter(T0.plusSeconds(5))) {
                backend.digests.put(PATH, right);
            }
        });

        audit(write);

        assertEquals(List.of(), alertTypes());
    }

    @Test
    void noDigestItemAtAllIsNotAMismatch() throws Exception {
        ObjectEvent write = lockedApply(8, LINEAGE, T0);
        backend.digests.clear();

        audit(write);

        assertEquals(List.of(), alertTypes());
    }

    @Test
    void aMultipartOrKmsObjectIsReadThroughToComputeItsMd5() throws Exception {
        ObjectEvent write = lockedApply(9, LINEAGE, T0);
        String body = StateFixtures.terraformState(9, LINEAGE);
        backend.put(KEY, body.getBytes(StandardCharsets.UTF_8), T0, ObjectHead.Encryption.SSE_KMS, "0d1c0a64e1d3dd6c8e4a1e1f3c1e2a11");

        audit(write);

        assertEquals(1, backend.md5Reads);
        assertEquals(List.of(), alertTypes());
    }

    @Test
    void aWriteWithNoLockIsAnUnlockedWriteAfterTheLockEventsHadTheirLag() throws Exception {
        lockedApply(4, LINEAGE, T0.minusSeconds(3600));
        String body = StateFixtures.terraformState(5, LINEAGE);
        backend.put(KEY, body, T0);
        backend.digests.put(PATH, InMemoryBackend.md5(body));

        audit(StateFixtures.created(KEY, T0, null, "arn:aws:iam::123456789012:user/alice"));

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alertTypes());
        Alert alert = published.get(0);
        assertEquals("arn:aws:iam::123456789012:user/alice", alert.facts().get("writer"));
        assertEquals(5L, alert.facts().get("serial"));
        assertTrue(alert.remediation().contains("-lock=false"));
        assertEquals(List.of(T0.plusSeconds(60)), time.rechecks, "decided once late lock events had their lag");
    }

    @Test
    void aLockWhoseEventsArriveLateStillCoversTheWrite() throws Exception {
        String body = StateFixtures.terraformState(5, LINEAGE);
        backend.put(KEY, body, T0);
        backend.digests.put(PATH, InMemoryBackend.md5(body));
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusMillis(300));
        time.onRecheck(() -> {
            if (time.instant().isAfter(T0.plusSeconds(50))) {
                try {
                    StateFixtures.lockHistory(history, STATE, lock, T0.minusSeconds(1), T0.plusSeconds(1));
                } catch (HistoryStore.WriteFailure e) {
                    throw new IllegalStateException(e);
                }
            }
        });

        audit(StateFixtures.created(KEY, T0, null, "ci"));

        assertEquals(List.of(), alertTypes());
    }

    /**
     * The lock table's stream held back for two minutes (its processing throttled or failing): the locked apply's lock
     * events are recorded only then, and its write, seen long before, is not called unlocked meanwhile.
     */
    @Test
    void aWriteIsNotJudgedUnlockedWhileTheLockStreamLagsHoweverLongThatIs() throws Exception {
        bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(T0.minusSeconds(600), "100"));
        stream.lagging = true;
        String body = StateFixtures.terraformState(5, LINEAGE);
        backend.put(KEY, body, T0);
        backend.digests.put(PATH, InMemoryBackend.md5(body));
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusMillis(300));
        ObjectEvent write = StateFixtures.created(KEY, T0, null, "ci");

        Outcome.Recorded first = (Outcome.Recorded) auditor.audit(write);
        List<Instant> looks = new ArrayList<>();
        for (Instant at = first.lookAgainAt(); !at.isAfter(T0.plusSeconds(120)); ) {
            time.recheckAt(at);
            looks.add(at);
            at = ((Outcome.Recorded) auditor.audit(write)).lookAgainAt();
        }
        assertEquals(List.of(), alertTypes(), "nothing decided while the stream lags: " + looks);
        assertTrue(looks.size() >= 2, "looked again without waiting in an invocation: " + looks);

        StateFixtures.lockHistory(history, STATE, lock, T0.minusSeconds(1), T0.plusSeconds(1));
        bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(T0.plusSeconds(1), "104"));
        stream.lagging = false;
        time.recheckAt(T0.plusSeconds(180));
        assertNull(((Outcome.Recorded) auditor.audit(write)).lookAgainAt());

        assertEquals(List.of(), alertTypes(), "covered by the lock its late events showed");
    }

    @Test
    void anUnlockedWriteMadeWhileTheLockStreamLagsIsAlertedOnceWhenItCatchesUp() throws Exception {
        bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(T0.minusSeconds(600), "100"));
        stream.lagging = true;
        backend.put(KEY, StateFixtures.terraformState(5, LINEAGE), T0);
        ObjectEvent write = StateFixtures.created(KEY, T0, null, "arn:aws:iam::123456789012:user/alice");

        Instant next = ((Outcome.Recorded) auditor.audit(write)).lookAgainAt();
        time.recheckAt(next);
        next = ((Outcome.Recorded) auditor.audit(write)).lookAgainAt();
        assertEquals(List.of(), alertTypes());

        bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(T0.plusSeconds(100), "130"));
        time.recheckAt(next);
        auditor.audit(write);
        auditor.audit(write);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alertTypes());
    }

    @Test
    void aQuietLockTableDoesNotHoldTheDecisionBack() throws Exception {
        bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(T0.minusSeconds(3600), "100"));
        stream.lagging = false;
        backend.put(KEY, StateFixtures.terraformState(5, LINEAGE), T0);

        audit(StateFixtures.created(KEY, T0, null, "arn:aws:iam::123456789012:user/alice"));

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alertTypes());
        assertEquals(List.of(T0.plusSeconds(60)), time.rechecks, "decided at the first look after the lag");
        assertEquals(1, stream.reads, "the stream read once, to see its processing has nothing left");
    }

    @Test
    void aLockFileCoversAWriteLikeADynamoDbLock() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(10));
        backend.put(KEY + ".tflock", lock.toJson(), T0.minusSeconds(10));
        HistoryEvent acquired = audit(StateFixtures.created(KEY + ".tflock", T0.minusSeconds(10), null, "ci")).events().get(0);
        backend.put(KEY, StateFixtures.terraformState(1, LINEAGE), T0);

        audit(StateFixtures.created(KEY, T0, null, "ci"));
        backend.objects.remove(KEY + ".tflock");
        HistoryEvent released = audit(StateFixtures.deleted(KEY + ".tflock", T0.plusSeconds(2), false, null, "ci")).events().get(0);

        assertEquals(EventType.LOCK_ACQUIRED, acquired.type());
        assertEquals("s3", acquired.source().label());
        assertEquals(lock.id(), acquired.fields().get("lockId"));
        assertEquals(EventType.LOCK_RELEASED, released.type());
        assertEquals(lock.id(), released.fields().get("lockId"));
        assertEquals(12L, released.fields().get("heldForSeconds"));
        assertEquals(List.of(), alertTypes(), "locked by the lock file; no digest item in a lock-file-only backend");
        assertEquals(List.of(), time.rechecks);
    }

    @Test
    void aLockFileReleaseHandledBeforeItsCreationIsTheReleaseOfTheLockItsDeleteMarkerHides() throws Exception {
        String lockFile = KEY + ".tflock";
        LockInfo first = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b381", T0.minusSeconds(600));
        String firstVersion = backend.put(lockFile, first.toJson(), T0.minusSeconds(600)).versionId();
        audit(StateFixtures.created(lockFile, T0.minusSeconds(600), firstVersion, "ci"));
        backend.delete(lockFile, T0.minusSeconds(590));
        ObjectEvent firstReleased = StateFixtures.deleted(lockFile, T0.minusSeconds(590), true, newestVersion(), "ci");
        LockInfo second = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(30));
        String secondVersion = backend.put(lockFile, second.toJson(), T0.minusSeconds(30)).versionId();
        ObjectEvent taken = StateFixtures.created(lockFile, T0.minusSeconds(30), secondVersion, "ci");
        backend.delete(lockFile, T0);
        ObjectEvent released = StateFixtures.deleted(lockFile, T0, true, newestVersion(), "ci");

        // The first lock's release and the second's creation are both late: history's last lock taken is the first.
        HistoryEvent release = audit(released).events().get(0);
        audit(firstReleased);
        audit(taken);

        assertEquals(second.id(), release.fields().get("lockId"), "the lock its delete marker hides, not the first again");
        assertEquals(30L, release.fields().get("heldForSeconds"));
        assertEquals(List.of("LOCK_ACQUIRED " + first.id(), "LOCK_RELEASED " + first.id(), "LOCK_ACQUIRED " + second.id(),
                "LOCK_RELEASED " + second.id()), lockEntries());
    }

    @Test
    void withoutVersionsALockFileReleaseHandledBeforeItsCreationIsOfAnUnknownLockNeverOfOneReleasedBefore()
            throws Exception {
        String lockFile = KEY + ".tflock";
        LockInfo first = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b381", T0.minusSeconds(600));
        backend.put(lockFile, first.toJson(), T0.minusSeconds(600));
        audit(StateFixtures.created(lockFile, T0.minusSeconds(600), null, "ci"));
        backend.objects.remove(lockFile);
        audit(StateFixtures.deleted(lockFile, T0.minusSeconds(590), false, null, "ci"));

        HistoryEvent release = audit(StateFixtures.deleted(lockFile, T0, false, null, "ci")).events().get(0);

        assertNull(release.fields().get("lockId"), "its lock was never seen taken");
        assertEquals(List.of("LOCK_ACQUIRED " + first.id(), "LOCK_RELEASED " + first.id(), "LOCK_RELEASED null"),
                lockEntries());
    }

    /** The version id of the bucket's newest version or delete marker. */
    String newestVersion() {
        return backend.versionHistory.get(backend.versionHistory.size() - 1).versionId();
    }

    /** The lock entries of the state's history, in order: kind and lock id. */
    List<String> lockEntries() {
        return history.history(PATH).stream()
                .filter(entry -> entry.type() == EventType.LOCK_ACQUIRED || entry.type() == EventType.LOCK_RELEASED)
                .map(entry -> entry.type() + " " + entry.fields().get("lockId")).toList();
    }

    @Test
    void anOlderSerialOfTheSameLineageIsARegression() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));
        ObjectEvent rollback = lockedApply(9, LINEAGE, T0);

        audit(rollback);

        assertEquals(List.of(AlertType.SERIAL_REGRESSION), alertTypes());
        assertEquals(12L, published.get(0).facts().get("previousSerial"));
        assertEquals(9L, published.get(0).facts().get("serial"));
        @SuppressWarnings("unchecked")
        Map<String, Object> restore = (Map<String, Object>) published.get(0).facts().get("restore");
        String replaced = history.history(PATH).stream().filter(e -> e.type() == EventType.STATE_WRITTEN)
                .filter(e -> Long.valueOf(12).equals(e.fields().get("serial"))).findFirst().orElseThrow()
                .fields().get("versionId").toString();
        assertEquals(replaced, restore.get("versionId"), "the version of serial 12 that the rollback replaced");
        assertEquals(12L, restore.get("serial"));
        assertEquals(InMemoryBackend.md5(StateFixtures.terraformState(12, LINEAGE)), restore.get("md5"));
        assertTrue(published.get(0).remediation().contains("aws s3api copy-object --bucket acme-tfstate --key "
                + "env:/staging/network/terraform.tfstate --copy-source 'acme-tfstate/env:/staging/network/"
                + "terraform.tfstate?versionId=" + replaced + "'"), published.get(0).remediation());
        assertTrue(published.get(0).remediation().contains("aws dynamodb put-item --table-name terraform-locks"),
                published.get(0).remediation());
    }

    @Test
    void aRollbackOnABucketWithoutVersionsSaysHowToFindTheVersionItCannotName() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));
        backend.versions.clear();
        backend.versionHistory.clear();
        audit(lockedApply(9, LINEAGE, T0));

        assertEquals(List.of(AlertType.SERIAL_REGRESSION), alertTypes());
        assertEquals(null, published.get(0).facts().get("restore"));
        assertTrue(published.get(0).remediation().contains("aws s3api list-object-versions --bucket acme-tfstate"));
    }

    @Test
    void aRollbackOnABucketThatKeepsNoVersionsSaysItCannotBeBroughtBackFromS3() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));
        backend.versions.clear();
        backend.versionHistory.clear();
        String older = StateFixtures.terraformState(9, LINEAGE);
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f70009", T0.minusSeconds(20));
        StateFixtures.lockHistory(history, STATE, lock, T0.minusSeconds(20), T0.plusSeconds(1));
        var written = backend.put(KEY, older, T0);
        backend.digests.put(PATH, InMemoryBackend.md5(older));
        audit(unversionedWrite(older, written.etag(), T0, "arn:aws:iam::123456789012:user/alice"));

        assertEquals(List.of(AlertType.SERIAL_REGRESSION), alertTypes());
        assertTrue(published.get(0).remediation().contains("The bucket is not versioned, so the version with serial 12 "
                + "cannot be brought back from S3"), published.get(0).remediation());
        assertFalse(published.get(0).remediation().contains("list-object-versions"), "nothing to find there");
    }

    @Test
    void anotherLineageIsADifferentStatePushedOverThisOne() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));

        audit(lockedApply(1, OTHER_LINEAGE, T0));

        assertEquals(List.of(AlertType.LINEAGE_CHANGED), alertTypes());
        assertEquals(LINEAGE, published.get(0).facts().get("previousLineage"));
        assertEquals(OTHER_LINEAGE, published.get(0).facts().get("lineage"));
        @SuppressWarnings("unchecked")
        Map<String, Object> restore = (Map<String, Object>) published.get(0).facts().get("restore");
        assertEquals(LINEAGE, restore.get("lineage"), "the state that was replaced, to bring back");
        assertEquals(12L, restore.get("serial"));
    }

    @Test
    void writesHandledOutOfOrderAreComparedInSequencerOrder() throws Exception {
        ObjectEvent first = lockedApply(12, LINEAGE, T0.minusSeconds(20));
        ObjectEvent second = lockedApply(11, LINEAGE, T0);

        audit(second);
        assertEquals(List.of(), alertTypes(), "nothing before it yet");
        audit(first);

        assertEquals(List.of(AlertType.SERIAL_REGRESSION), alertTypes());
        assertEquals(11L, published.get(0).facts().get("serial"), "the later write is the regression");
    }

    @Test
    void aWriteHandledBeforeTheRollbackItFollowedIsNotComparedWithTheStateTheRollbackReplaced() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));
        ObjectEvent rollback = lockedApply(9, LINEAGE, T0.minusSeconds(120));
        ObjectEvent next = lockedApply(10, LINEAGE, T0);

        audit(next);
        assertEquals(List.of(), alertTypes(), "10 was written over 9, whose event is late, not over 12");
        audit(rollback);

        assertEquals(List.of(AlertType.SERIAL_REGRESSION), alertTypes());
        assertEquals(9L, published.get(0).facts().get("serial"), "the rollback, once");
    }

    @Test
    void theSameEventTwiceWritesOneEntryAndAlertsOnce() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));
        ObjectEvent rollback = lockedApply(9, LINEAGE, T0);

        audit(rollback);
        audit(rollback);

        assertEquals(List.of(AlertType.SERIAL_REGRESSION), alertTypes());
        assertEquals(2, history.history(PATH).stream().filter(e -> e.type() == EventType.STATE_WRITTEN).count());
    }

    @Test
    void aWorkspaceDeleteIsOneNoticeNamingWhoRanItNotACriticalDeletion() throws Exception {
        audit(lockedApply(3, LINEAGE, T0.minusSeconds(600)));
        LockInfo delete = new LockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "state-replace-provider", "",
                "@runner-7f9c", "1.11.2", T0.minusSeconds(2).toString(), PATH);
        StateFixtures.lockHistory(history, STATE, delete, T0.minusSeconds(2), T0.minusSeconds(1));
        backend.objects.remove(KEY);

        audit(StateFixtures.deleted(KEY, T0, true, "marker-1", "123456789012"));
        backend.digests.remove(PATH);

        assertEquals(List.of(AlertType.WORKSPACE_DELETED), alertTypes(), "neither STATE_DELETED nor ORPHANED_DIGEST");
        Alert notice = published.get(0);
        assertEquals(delete.id(), notice.lock().id());
        assertTrue(notice.summary().contains("run by an unknown user on runner-7f9c"), notice.summary());
        assertTrue(notice.remediation().contains("--version-id marker-1"), notice.remediation());

        backend.put(KEY, StateFixtures.terraformState(1, OTHER_LINEAGE), T0.plusSeconds(600));
        backend.digests.put(PATH, InMemoryBackend.md5(StateFixtures.terraformState(1, OTHER_LINEAGE)));
        LockInfo init = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f70001", T0.plusSeconds(595));
        StateFixtures.lockHistory(history, STATE, init, T0.plusSeconds(595), T0.plusSeconds(601));
        audit(StateFixtures.created(KEY, T0.plusSeconds(600), null, "ci"));

        assertEquals(List.of(AlertType.WORKSPACE_DELETED), alertTypes(), "the workspace made again is a new state");
    }

    @Test
    void aDeletionLongAfterAWorkspaceDeleteLockIsStillADeletion() throws Exception {
        audit(lockedApply(3, LINEAGE, T0.minusSeconds(600)));
        LockInfo delete = new LockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "state-replace-provider", "",
                "alice@laptop", "1.11.2", T0.minusSeconds(300).toString(), PATH);
        StateFixtures.lockHistory(history, STATE, delete, T0.minusSeconds(300), T0.minusSeconds(299));
        backend.objects.remove(KEY);
        backend.digests.remove(PATH);

        audit(StateFixtures.deleted(KEY, T0, false, null, "123456789012"));

        assertEquals(List.of(AlertType.STATE_DELETED), alertTypes());
    }

    @Test
    void writesUnderALockFileAloneLeaveTheOldDigestStaleOnceNotMismatchedOnEveryWrite() throws Exception {
        audit(lockedApply(5, LINEAGE, T0.minusSeconds(3600)));
        String stale = backend.digests.get(PATH);
        for (int i = 0; i < 3; i++) {
            Instant at = T0.plusSeconds(60L * i);
            LockInfo lock = StateFixtures.lockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f8%04d", i), at.minusSeconds(5));
            backend.put(KEY + ".tflock", lock.toJson(), at.minusSeconds(5));
            audit(StateFixtures.created(KEY + ".tflock", at.minusSeconds(5), null, "ci"));
            backend.put(KEY, StateFixtures.terraformState(6 + i, LINEAGE), at);
            audit(StateFixtures.created(KEY, at, null, "ci"));
            backend.objects.remove(KEY + ".tflock");
            audit(StateFixtures.deleted(KEY + ".tflock", at.plusSeconds(1), false, null, "ci"));
        }

        assertEquals(List.of(AlertType.STALE_DIGEST), alertTypes(), "once for the state, and no DIGEST_MISMATCH");
        assertEquals(stale, published.get(0).facts().get("expectedDigest"));
        assertTrue(published.get(0).remediation().contains("aws dynamodb delete-item --table-name terraform-locks "
                + "--key '{\"LockID\":{\"S\":\"" + PATH + "-md5\"}}'"), published.get(0).remediation());
    }

    @Test
    void twoUnlockedWritesOfTheSameSerialWithDifferentContentAreASerialConflict() throws Exception {
        audit(lockedApply(4, LINEAGE, T0.minusSeconds(3600)));
        backend.digests.clear();
        String first = StateFixtures.terraformState(5, LINEAGE);
        String second = StateFixtures.terraformState(5, LINEAGE).replace("\"resources\": []", "\"resources\": [{}]");
        backend.versions.put("v-first", backend.put(KEY, first, T0));
        audit(StateFixtures.created(KEY, T0, "v-first", "arn:aws:iam::123456789012:user/alice"));
        backend.versions.put("v-second", backend.put(KEY, second, T0.plusSeconds(30)));
        audit(StateFixtures.created(KEY, T0.plusSeconds(30), "v-second", "arn:aws:iam::123456789012:user/bob"));

        assertEquals(List.of(AlertType.UNLOCKED_WRITE, AlertType.SERIAL_CONFLICT, AlertType.UNLOCKED_WRITE),
                alertTypes());
        Alert conflict = published.get(1);
        assertEquals(5L, conflict.facts().get("serial"));
        assertEquals("v-first", conflict.facts().get("earlierVersionId"));
        assertTrue(conflict.summary().contains("arn:aws:iam::123456789012:user/alice"), conflict.summary());
        assertTrue(conflict.summary().contains("arn:aws:iam::123456789012:user/bob"), conflict.summary());
        assertTrue(conflict.remediation().contains("--version-id v-first"), conflict.remediation());
        @SuppressWarnings("unchecked")
        Map<String, Object> restore = (Map<String, Object>) conflict.facts().get("restore");
        assertEquals("v-first", restore.get("versionId"), "the earlier write, overwritten, to keep if it is the one");
        assertEquals(5L, restore.get("serial"));
        assertEquals(InMemoryBackend.md5(first), restore.get("md5"));
        assertTrue(conflict.remediation().contains("?versionId=v-first"), conflict.remediation());
    }

    /** A write as its event names it on a bucket without versions: its size and ETag, no version id. */
    static ObjectEvent unversionedWrite(String body, String etag, Instant at, String requester) {
        ObjectEvent event = StateFixtures.created(KEY, at, null, requester);
        return new ObjectEvent(event.kind(), event.bucket(), event.key(), at, event.sequencer(), event.eventId(),
                (long) body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, etag, null, false, event.writer(),
                "PutObject");
    }

    @Test
    void twoWritesOfOneSerialWhoseEtagsAreTheirMd5sAndDifferAreASerialConflictWithoutVersions() throws Exception {
        audit(lockedApply(4, LINEAGE, T0.minusSeconds(3600)));
        backend.digests.clear();
        String first = StateFixtures.terraformState(5, LINEAGE);
        String second = first.replace("\"1.11.2\"", "\"1.11.3\"");
        assertEquals(first.length(), second.length(), "the same size: only the ETags can tell them apart");
        backend.versions.clear();
        var written = backend.put(KEY, first, T0);
        audit(unversionedWrite(first, written.etag(), T0, "arn:aws:iam::123456789012:user/alice"));
        written = backend.put(KEY, second, T0.plusSeconds(30));
        audit(unversionedWrite(second, written.etag(), T0.plusSeconds(30), "arn:aws:iam::123456789012:user/bob"));

        assertTrue(alertTypes().contains(AlertType.SERIAL_CONFLICT), alertTypes().toString());
        Alert conflict = published.stream().filter(a -> a.type() == AlertType.SERIAL_CONFLICT).findFirst().orElseThrow();
        assertTrue(conflict.remediation().contains("the bucket is not versioned, so the earlier state cannot be read "
                + "back from S3"), conflict.remediation());
        List<HistoryEvent> writes = history.history(PATH).stream().filter(e -> e.type() == EventType.STATE_WRITTEN)
                .toList();
        assertEquals(Boolean.TRUE, ((Facts.StateWritten) writes.get(writes.size() - 1).facts()).etagIsMd5());
    }

    @Test
    void writesOfOneSerialUnderSseKmsAreNotCalledAConflictByTheirEtags() throws Exception {
        audit(lockedApply(4, LINEAGE, T0.minusSeconds(3600)));
        backend.digests.clear();
        String first = StateFixtures.terraformState(5, LINEAGE);
        backend.versions.clear();
        // Under SSE-KMS an ETag is not the MD5 of the body: one content can have two ETags.
        var written = backend.put(KEY, first.getBytes(java.nio.charset.StandardCharsets.UTF_8), T0,
                dev.lockauditor.backend.ObjectHead.Encryption.SSE_KMS, "0f343b0931126a20f133d67c2b018a3b");
        audit(unversionedWrite(first, written.etag(), T0, "arn:aws:iam::123456789012:user/alice"));
        written = backend.put(KEY, first.getBytes(java.nio.charset.StandardCharsets.UTF_8), T0.plusSeconds(30),
                dev.lockauditor.backend.ObjectHead.Encryption.SSE_KMS, "a1d0c6e83f027327d8461063f4ac58a6");
        audit(unversionedWrite(first, written.etag(), T0.plusSeconds(30), "arn:aws:iam::123456789012:user/alice"));

        assertFalse(alertTypes().contains(AlertType.SERIAL_CONFLICT), "not told, so not claimed: " + alertTypes());
    }

    @Test
    void anApplyPersistingThreeTimesUnderOneLockRaisesNothing() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(5));
        StateFixtures.lockHistory(history, STATE, lock, T0.minusSeconds(5), T0.plusSeconds(61));
        for (int i = 0; i < 3; i++) {
            String body = StateFixtures.terraformState(10 + i, LINEAGE);
            backend.put(KEY, body, T0.plusSeconds(20L * i));
            backend.digests.put(PATH, InMemoryBackend.md5(body));
            audit(StateFixtures.created(KEY, T0.plusSeconds(20L * i), null, "ci"));
        }

        assertEquals(List.of(), alertTypes());
    }

    @Test
    void aDigestNotUpdatedAfterALockedWriteSaysTheWritersDigestWriteFailed() throws Exception {
        ObjectEvent write = lockedApply(8, LINEAGE, T0);
        backend.digests.put(PATH, "8b1a9953c4611296a827abf8c47804d7");

        audit(write);

        assertEquals("WRITER_DIGEST_FAILED", published.get(0).facts().get("cause"));
        assertTrue(published.get(0).summary().contains("whose digest update failed"), published.get(0).summary());
    }

    @Test
    void aDeletedStateIsCriticalAndItsDigestLeftBehindIsOrphaned() throws Exception {
        ObjectEvent write = lockedApply(3, LINEAGE, T0.minusSeconds(600));
        audit(write);
        backend.delete(KEY, T0);
        String marker = backend.versionHistory.get(backend.versionHistory.size() - 1).versionId();

        audit(StateFixtures.deleted(KEY, T0, true, marker, "arn:aws:iam::123456789012:user/bob"));

        assertEquals(List.of(AlertType.STATE_DELETED, AlertType.ORPHANED_DIGEST), alertTypes());
        assertEquals(true, published.get(0).facts().get("deleteMarker"));
        assertTrue(published.get(0).remediation().contains("--version-id " + marker));
        @SuppressWarnings("unchecked")
        Map<String, Object> restore = (Map<String, Object>) published.get(0).facts().get("restore");
        assertEquals(write.versionId(), restore.get("versionId"), "the version under the delete marker");
        assertEquals(3L, restore.get("serial"));
        assertTrue(published.get(1).remediation().contains("aws dynamodb delete-item --table-name terraform-locks"));
    }

    @Test
    void aWorkspaceDeleteRemovesTheDigestInTimeAndLeavesNoOrphan() throws Exception {
        audit(lockedApply(3, LINEAGE, T0.minusSeconds(600)));
        backend.objects.remove(KEY);
        time.onRecheck(() -> backend.digests.remove(PATH));

        audit(StateFixtures.deleted(KEY, T0, false, null, "ci"));

        assertEquals(List.of(AlertType.STATE_DELETED), alertTypes());
    }

    @Test
    void whatIsNotAStateIsSkippedWithTheReason() throws Exception {
        backend.put("notes/readme.txt", "hello " + SECRET, T0);
        backend.put("plans/apply.tfplan", "PK", T0);

        Outcome text = auditor.audit(StateFixtures.created("notes/readme.txt", T0, null, "x"));
        Outcome plan = auditor.audit(StateFixtures.created("plans/apply.tfplan", T0, null, "x"));

        assertEquals("not a state: not JSON", assertInstanceOf(Outcome.Skipped.class, text).reason(),
                "a key that is not named as a state and never held one: skipped, quietly");
        assertEquals("not a state key (see STATE_INCLUDE_SUFFIXES and STATE_EXCLUDE_SUFFIXES)",
                assertInstanceOf(Outcome.Skipped.class, plan).reason());
        assertTrue(history.all().isEmpty());
    }

    @Test
    void noByteOfAStateBeyondItsHeaderLeavesTheAuditor() throws Exception {
        audit(lockedApply(12, LINEAGE, T0.minusSeconds(600)));
        backend.put(KEY, StateFixtures.terraformState(9, LINEAGE), T0);
        backend.digests.put(PATH, "8b1a9953c4611296a827abf8c47804d7");
        audit(StateFixtures.created(KEY, T0, null, "someone"));
        assertEquals(List.of(AlertType.SERIAL_REGRESSION, AlertType.UNLOCKED_WRITE, AlertType.DIGEST_MISMATCH), alertTypes(),
                "each as soon as it can be decided: the rollback at once, then the lock once its events had their lag, "
                        + "and the digest with it (which lock there was tells why it differs)");
        backend.put("broken.tfstate", "{\"version\":4,\"serial\":\"" + SECRET + "\"}", T0);
        Recorded broken = audit(StateFixtures.created("broken.tfstate", T0, null, "x"));
        assertEquals("not a state: its serial is not a whole number", broken.events().get(0).fields().get("whyUnreadable"));
        assertEquals(List.of(AlertType.STATE_UNREADABLE, AlertType.UNLOCKED_WRITE), alertTypes().subList(3, 5),
                "a key named as a state's, overwritten with what Terraform cannot load");
        StringBuilder everything = new StringBuilder();
        history.all().forEach(e -> everything.append(e.fields()));
        published.forEach(a -> everything.append(AlertDocument.of(a, new AlertDocument.Origin(Environments.only("test"), "1", "r", "t"))));
        assertFalse(everything.toString().contains(SECRET), everything.toString());
        assertFalse(everything.toString().contains("db_password"));
    }

    @Test
    void aStateSseCEncryptedIsRecordedAsUnreadable() throws Exception {
        backend.put(KEY, "{}".getBytes(StandardCharsets.UTF_8), T0, ObjectHead.Encryption.SSE_C, "x");
        backend.locks.put(PATH, StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", T0.minusSeconds(5)));

        HistoryEvent written = audit(StateFixtures.created(KEY, T0, null, "ci")).events().get(0);

        assertEquals(Map.of("headerReadable", false, "whyUnreadable", "SSE-C"), Map.of("headerReadable",
                written.fields().get("headerReadable"), "whyUnreadable", written.fields().get("whyUnreadable")));
        assertEquals(List.of(), alertTypes());
    }
}

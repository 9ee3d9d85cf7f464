package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.audit.StateFixtures;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.terraform.LockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * A backend on lock files alone ({@code use_lockfile = true}, no {@code dynamodb_table}), as Terraform recommends
 * since 1.11: no lock table and no digest, and everything decided from the bucket's own events and versions. The
 * handlers run as deployed without a lock table (no {@code LOCK_TABLE}), on the sample events' shapes.
 */
@EnabledIf("samplesPresent")
class LockFilesOnlyTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "env:/staging/network/terraform.tfstate";
    static final String LOCK_FILE = KEY + ".tflock";
    static final String PATH = "acme-tfstate/" + KEY;
    static final Instant T0 = Instant.parse("2025-03-14T09:20:00Z");

    static boolean samplesPresent() {
        return LockFilesOnlyTest.class.getResource("/events/s3-lock-file-created.json") != null;
    }

    final TestComponents test = new TestComponents();
    final TestContext context = new TestContext();
    private int sequencer = 0x7400;

    LockFilesOnlyTest() {
        test.lockTable = false;
    }

    /** An object's event as EventBridge sends it (the shape of the samples), about {@code key} at {@code at}. */
    byte[] event(String sample, String key, Instant at, String versionId, String etag) throws Exception {
        ObjectNode event;
        try (InputStream in = LockFilesOnlyTest.class.getResourceAsStream("/events/" + sample)) {
            event = (ObjectNode) JSON.readTree(in);
        }
        event.put("time", at.toString()).put("id", "event-" + sequencer);
        ObjectNode object = (ObjectNode) event.at("/detail/object");
        object.put("key", key).put("sequencer", String.format("0062E99A88DC40%04X", ++sequencer));
        if (versionId == null) {
            object.remove("version-id");
        } else {
            object.put("version-id", versionId);
        }
        if (etag != null) {
            object.put("etag", etag);
        }
        ((ObjectNode) event.get("detail")).put("request-id", "REQ" + sequencer);
        return JSON.writeValueAsBytes(event);
    }

    JsonNode handle(byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StateEventsHandler(test.components()).handleRequest(new ByteArrayInputStream(event), out, context);
        return JSON.readTree(out.toByteArray());
    }

    JsonNode sweep() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] payload = LockFilesOnlyTest.class.getResourceAsStream("/events/scheduled-sweep.json").readAllBytes();
        new StaleLockSweepHandler(test.components()).handleRequest(new ByteArrayInputStream(payload), out, context);
        return JSON.readTree(out.toByteArray());
    }

    LockInfo lock(String operation, String who, Instant created) {
        return new LockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7%04x", sequencer), operation, "", who,
                "1.11.2", created.toString(), PATH);
    }

    /** Terraform takes the lock file: a conditional PutObject of the lock info; returns its event. */
    byte[] takeLock(LockInfo lock, Instant at) throws Exception {
        InMemoryBackend.StoredObject object = test.backend.put(LOCK_FILE, lock.toJson(), at);
        return event("s3-lock-file-created.json", LOCK_FILE, at, object.versionId(), object.etag());
    }

    /** Terraform releases it: a plain DeleteObject (a delete marker on a versioned bucket); returns its event. */
    byte[] releaseLock(Instant at) throws Exception {
        test.backend.delete(LOCK_FILE, at);
        return event("s3-lock-file-deleted.json", LOCK_FILE, at, "marker-" + sequencer, null);
    }

    byte[] writeState(long serial, String lineage, Instant at) throws Exception {
        InMemoryBackend.StoredObject object = test.backend.put(KEY, StateFixtures.terraformState(serial, lineage), at);
        return event("s3-state-written.json", KEY, at, object.versionId(), object.etag());
    }

    /** An apply under the lock file: take it, write the state, release it; the events as they come. */
    void apply(long serial, String lineage, Instant at) throws Exception {
        byte[] taken = takeLock(lock("OperationTypeApply", "ci@runner-7f9c", at), at);
        byte[] written = writeState(serial, lineage, at.plusSeconds(5));
        byte[] released = releaseLock(at.plusSeconds(20));
        handle(taken);
        handle(written);
        handle(released);
    }

    List<AlertType> alerts() {
        return test.published.stream().map(Alert::type).toList();
    }

    List<HistoryEvent> history() {
        return test.history.history(PATH);
    }

    @Test
    void aLockFileSessionIsRecordedWithWhoTheOperationAndHowLongAndItsWriteRaisesNothing() throws Exception {
        apply(7, StateFixtures.LINEAGE, T0);

        List<HistoryEvent> history = history();
        assertEquals(List.of(EventType.LOCK_ACQUIRED, EventType.STATE_WRITTEN, EventType.LOCK_RELEASED),
                history.stream().map(HistoryEvent::type).toList());
        Facts.Lock lock = ((Facts.LockAcquired) history.get(0).facts()).lock();
        assertEquals("ci@runner-7f9c", lock.who());
        assertEquals("OperationTypeApply", lock.operation());
        assertEquals("s3", history.get(0).source().label());
        assertEquals(20L, ((Facts.LockReleased) history.get(2).facts()).heldForSeconds());
        assertEquals(7L, ((Facts.StateWritten) history.get(1).facts()).header().serial());
        assertEquals(List.of(), alerts(), "locked, and no digest is expected of a backend without a lock table");
        assertEquals(List.of(), test.rechecks, "decided at once: the lock file's events were in");
    }

    @Test
    void aWriteWithNoLockFileIsAnUnlockedWriteAlertedOnceHoweverOftenItsEventComes() throws Exception {
        apply(7, StateFixtures.LINEAGE, T0);
        byte[] unlocked = writeState(8, StateFixtures.LINEAGE, T0.plusSeconds(600));

        handle(unlocked);
        handle(unlocked);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alerts());
        assertEquals(8L, test.published.get(0).facts().get("serial"));
    }

    @Test
    void aWriteWhoseLockFileEventsWereLostIsCoveredByTheLockFilesVersions() throws Exception {
        takeLock(lock("OperationTypeApply", "ci@runner-7f9c", T0), T0);
        byte[] written = writeState(3, StateFixtures.LINEAGE, T0.plusSeconds(5));
        releaseLock(T0.plusSeconds(20));

        handle(written);

        assertEquals(List.of(), alerts(), "the bucket's versions of the lock file show it held at the write");
    }

    @Test
    void aWriteJustAfterALockFileWasReleasedIsStillCoveredWithinTwoSecondsNotLater() throws Exception {
        handle(takeLock(lock("OperationTypeApply", "ci@runner-7f9c", T0), T0));
        handle(releaseLock(T0.plusSeconds(10)));
        handle(writeState(3, StateFixtures.LINEAGE, T0.plusSeconds(12)));
        assertEquals(List.of(), alerts(), "EventBridge times are whole seconds: 2 s either way is the same moment");

        handle(writeState(4, StateFixtures.LINEAGE, T0.plusSeconds(14)));
        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alerts());
    }

    @Test
    void aLockFileLeftBehindByAKilledJobIsAStaleLockAlertedOnceAndClearedWhenReleased() throws Exception {
        Instant created = test.time.instant().minus(Duration.ofHours(2));
        LockInfo left = lock("OperationTypeApply", "ci@runner-9c2e", created);
        handle(takeLock(left, created));

        assertEquals(1, sweep().get("staleLocks").asInt());
        sweep();

        assertEquals(List.of(AlertType.STALE_LOCK), alerts(), "once over two sweeps");
        Alert stale = test.published.get(0);
        assertEquals(left.id(), stale.lock().id());
        assertTrue(stale.remediation().contains("terraform force-unlock " + left.id()), stale.remediation());

        handle(releaseLock(test.time.instant()));
        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK_CLEARED), alerts());
    }

    @Test
    void rollbacksAndLineageSwapsUnderLockFilesAreCaught() throws Exception {
        apply(12, StateFixtures.LINEAGE, T0);
        apply(9, StateFixtures.LINEAGE, T0.plusSeconds(300));
        apply(1, StateFixtures.OTHER_LINEAGE, T0.plusSeconds(600));

        assertEquals(List.of(AlertType.SERIAL_REGRESSION, AlertType.LINEAGE_CHANGED), alerts());
        assertEquals(12L, test.published.get(0).facts().get("previousSerial"));
        assertEquals(9L, test.published.get(0).facts().get("serial"));
    }

    @Test
    void aDeletedStateIsCriticalButAWorkspaceDeleteUnderItsLockFileIsOneNotice() throws Exception {
        apply(3, StateFixtures.LINEAGE, T0);
        Instant deleting = T0.plusSeconds(300);
        handle(takeLock(lock("state-replace-provider", "alice@laptop", deleting), deleting));
        handle(releaseLock(deleting.plusSeconds(1)));
        test.backend.delete(KEY, deleting.plusSeconds(2));
        handle(event("s3-state-deleted.json", KEY, deleting.plusSeconds(2), "marker-ws", null));

        assertEquals(List.of(AlertType.WORKSPACE_DELETED), alerts());

        apply(1, StateFixtures.OTHER_LINEAGE, T0.plusSeconds(900));
        test.backend.delete(KEY, T0.plusSeconds(1000));
        handle(event("s3-state-deleted.json", KEY, T0.plusSeconds(1000), "marker-2", null));

        assertEquals(List.of(AlertType.WORKSPACE_DELETED, AlertType.STATE_DELETED), alerts(),
                "the state made again is a new state, and its deletion by hand is alerted");
    }

    @Test
    void aLockFileReleasedByAnotherRoleIsForcedWhenCloudTrailNamesBoth() throws Exception {
        Instant at = T0;
        byte[] taken = takeLock(lock("OperationTypeApply", "ci@runner-5d2b", at), at);
        byte[] released = releaseLock(at.plusSeconds(30));
        handle(taken);
        handle(cloudTrail(at, "PutObject", "arn:aws:sts::123456789012:assumed-role/ci/runner-5d2b", "198.51.100.7",
                JSON.readTree(taken).at("/detail/request-id").asText()));
        handle(released);
        handle(cloudTrail(at.plusSeconds(30), "DeleteObject", "arn:aws:sts::123456789012:assumed-role/platform-admin/erin",
                "192.0.2.44", JSON.readTree(released).at("/detail/request-id").asText()));

        assertEquals(List.of(AlertType.LOCK_FORCE_RELEASED), alerts());
        HistoryEvent release = history().stream().filter(e -> e.type() == EventType.LOCK_RELEASED).findFirst().orElseThrow();
        assertTrue(((Facts.LockReleased) release.facts()).forced());
        assertEquals("arn:aws:sts::123456789012:assumed-role/platform-admin/erin", release.caller().principalArn());
    }

    /** CloudTrail's record of a request on the lock file, as the sample gives its shape. */
    byte[] cloudTrail(Instant at, String operation, String principal, String sourceIp, String requestId)
            throws Exception {
        ObjectNode record;
        try (InputStream in = LockFilesOnlyTest.class.getResourceAsStream("/events/cloudtrail-s3-put-object.json")) {
            record = (ObjectNode) JSON.readTree(in);
        }
        String time = at.toString();
        record.put("time", time);
        ObjectNode detail = (ObjectNode) record.get("detail");
        detail.put("eventTime", time).put("eventName", operation).put("sourceIPAddress", sourceIp)
                .put("requestID", requestId);
        ((ObjectNode) detail.get("userIdentity")).put("arn", principal);
        ((ObjectNode) detail.get("requestParameters")).put("key", LOCK_FILE);
        return JSON.writeValueAsBytes(record);
    }

    @Test
    void aTflockObjectThatIsNotLockInfoIsSkippedWithTheReasonOnCreationAndOnDeletionAlike() throws Exception {
        apply(3, StateFixtures.LINEAGE, T0);
        int before = history().size();
        InMemoryBackend.StoredObject junk = test.backend.put(LOCK_FILE, "<html>not a lock</html>", T0.plusSeconds(60));

        JsonNode created = handle(event("s3-lock-file-created.json", LOCK_FILE, T0.plusSeconds(60), junk.versionId(),
                junk.etag()));
        test.backend.delete(LOCK_FILE, T0.plusSeconds(90));
        JsonNode deleted = handle(event("s3-lock-file-deleted.json", LOCK_FILE, T0.plusSeconds(90), "marker-junk", null));

        assertEquals(1, created.get("skipped").asInt());
        assertEquals(1, deleted.get("skipped").asInt(), "not taken for a second release of the lock before it");
        assertEquals(before, history().size());
        List<String> skips = context.lines.stream().filter(line -> line.contains("not a lock file")).toList();
        assertEquals(2, skips.size(), String.join("\n", context.lines));
        assertTrue(skips.stream().noneMatch(line -> line.contains("html")), "the reason never quotes the object");
    }

    @Test
    void onAnUnversionedBucketALockFileGoneBeforeItWasReadIsStillALockThatCoversItsWrites() throws Exception {
        LockInfo quick = lock("OperationTypeApply", "ci@runner-7f9c", T0);
        InMemoryBackend.StoredObject object = test.backend.put(LOCK_FILE, quick.toJson(), T0);
        byte[] taken = event("s3-lock-file-created.json", LOCK_FILE, T0, null, object.etag());
        byte[] written = writeState(3, StateFixtures.LINEAGE, T0.plusSeconds(5));
        test.backend.objects.remove(LOCK_FILE);
        test.backend.versionHistory.clear();  // unversioned: nothing of the lock file is left
        byte[] released = event("s3-lock-file-deleted.json", LOCK_FILE, T0.plusSeconds(20), null, null);

        handle(taken);
        handle(written);
        handle(released);

        assertEquals(List.of(), alerts(), "the write was made under a lock, whoever held it");
        List<HistoryEvent> locks = history().stream().filter(e -> Facts.lockOf(e.facts()) != null).toList();
        assertEquals(2, locks.size());
        Facts.Lock unknown = Facts.lockOf(locks.get(0).facts());
        assertTrue(unknown.id().startsWith("unread-"), unknown.id());
        assertNull(unknown.who(), "who held it is not known, and not guessed");
        assertEquals(unknown.id(), Facts.lockOf(locks.get(1).facts()).id());
        assertEquals(20L, ((Facts.LockReleased) locks.get(1).facts()).heldForSeconds());
    }
}

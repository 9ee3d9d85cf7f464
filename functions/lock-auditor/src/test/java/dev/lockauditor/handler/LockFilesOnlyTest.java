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

    static final String KEY = BucketDay.KEY;
    static final String LOCK_FILE = BucketDay.LOCK_FILE;
    static final String PATH = BucketDay.PATH;
    static final ObjectMapper JSON = BucketDay.JSON;
    static final Instant T0 = Instant.parse("2025-03-14T09:20:00Z");

    static boolean samplesPresent() {
        return BucketDay.samplesPresent();
    }

    final BucketDay day = new BucketDay(false);
    final TestComponents test = day.test;
    final TestContext context = day.context;

    @Test
    void aLockFileSessionIsRecordedWithWhoTheOperationAndHowLongAndItsWriteRaisesNothing() throws Exception {
        day.apply(7, StateFixtures.LINEAGE, T0);

        List<HistoryEvent> history = day.history();
        assertEquals(List.of(EventType.LOCK_ACQUIRED, EventType.STATE_WRITTEN, EventType.LOCK_RELEASED),
                history.stream().map(HistoryEvent::type).toList());
        Facts.Lock lock = ((Facts.LockAcquired) history.get(0).facts()).lock();
        assertEquals("ci@runner-7f9c", lock.who());
        assertEquals("OperationTypeApply", lock.operation());
        assertEquals("s3", history.get(0).source().label());
        assertEquals(20L, ((Facts.LockReleased) history.get(2).facts()).heldForSeconds());
        assertEquals(7L, ((Facts.StateWritten) history.get(1).facts()).header().serial());
        assertEquals(List.of(), day.alerts(), "locked, and no digest is expected of a backend without a lock table");
        assertEquals(List.of(), test.rechecks, "decided at once: the lock file's events were in");
    }

    @Test
    void aWriteWithNoLockFileIsAnUnlockedWriteAlertedOnceHoweverOftenItsEventComes() throws Exception {
        day.apply(7, StateFixtures.LINEAGE, T0);
        byte[] unlocked = day.writeState(8, StateFixtures.LINEAGE, T0.plusSeconds(600));

        day.handle(unlocked);
        day.handle(unlocked);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), day.alerts());
        assertEquals(8L, test.published.get(0).facts().get("serial"));
    }

    @Test
    void aWriteWhoseLockFileEventsWereLostIsCoveredByTheLockFilesVersions() throws Exception {
        day.takeLock(day.lock("OperationTypeApply", "ci@runner-7f9c", T0), T0);
        byte[] written = day.writeState(3, StateFixtures.LINEAGE, T0.plusSeconds(5));
        day.releaseLock(T0.plusSeconds(20));

        day.handle(written);

        assertEquals(List.of(), day.alerts(), "the bucket's versions of the lock file show it held at the write");
    }

    @Test
    void aWriteJustAfterALockFileWasReleasedIsStillCoveredWithinTwoSecondsNotLater() throws Exception {
        day.handle(day.takeLock(day.lock("OperationTypeApply", "ci@runner-7f9c", T0), T0));
        day.handle(day.releaseLock(T0.plusSeconds(10)));
        day.handle(day.writeState(3, StateFixtures.LINEAGE, T0.plusSeconds(12)));
        assertEquals(List.of(), day.alerts(), "EventBridge times are whole seconds: 2 s either way is the same moment");

        day.handle(day.writeState(4, StateFixtures.LINEAGE, T0.plusSeconds(14)));
        assertEquals(List.of(AlertType.UNLOCKED_WRITE), day.alerts());
    }

    @Test
    void aLockFileLeftBehindByAKilledJobIsAStaleLockAlertedOnceAndClearedWhenReleased() throws Exception {
        Instant created = test.time.instant().minus(Duration.ofHours(2));
        LockInfo left = day.lock("OperationTypeApply", "ci@runner-9c2e", created);
        day.handle(day.takeLock(left, created));

        assertEquals(1, day.sweep().get("staleLocks").asInt());
        day.sweep();

        assertEquals(List.of(AlertType.STALE_LOCK), day.alerts(), "once over two sweeps");
        Alert stale = test.published.get(0);
        assertEquals(left.id(), stale.lock().id());
        assertTrue(stale.remediation().contains("terraform force-unlock " + left.id()), stale.remediation());

        day.handle(day.releaseLock(test.time.instant()));
        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK_CLEARED), day.alerts());
    }

    @Test
    void rollbacksAndLineageSwapsUnderLockFilesAreCaught() throws Exception {
        day.apply(12, StateFixtures.LINEAGE, T0);
        day.apply(9, StateFixtures.LINEAGE, T0.plusSeconds(300));
        day.apply(1, StateFixtures.OTHER_LINEAGE, T0.plusSeconds(600));

        assertEquals(List.of(AlertType.SERIAL_REGRESSION, AlertType.LINEAGE_CHANGED), day.alerts());
        assertEquals(12L, test.published.get(0).facts().get("previousSerial"));
        assertEquals(9L, test.published.get(0).facts().get("serial"));
    }

    @Test
    void aDeletedStateIsCriticalButAWorkspaceDeleteUnderItsLockFileIsOneNotice() throws Exception {
        day.apply(3, StateFixtures.LINEAGE, T0);
        Instant deleting = T0.plusSeconds(300);
        day.handle(day.takeLock(day.lock("state-replace-provider", "alice@laptop", deleting), deleting));
        day.handle(day.releaseLock(deleting.plusSeconds(1)));
        test.backend.delete(KEY, deleting.plusSeconds(2));
        day.handle(day.event("s3-state-deleted.json", KEY, deleting.plusSeconds(2), "marker-ws", null));

        assertEquals(List.of(AlertType.WORKSPACE_DELETED), day.alerts());

        day.apply(1, StateFixtures.OTHER_LINEAGE, T0.plusSeconds(900));
        test.backend.delete(KEY, T0.plusSeconds(1000));
        day.handle(day.event("s3-state-deleted.json", KEY, T0.plusSeconds(1000), "marker-2", null));

        assertEquals(List.of(AlertType.WORKSPACE_DELETED, AlertType.STATE_DELETED), day.alerts(),
                "the state made again is a new state, and its deletion by hand is alerted");
    }

    @Test
    void aLockFileReleasedByAnotherRoleIsForcedWhenCloudTrailNamesBoth() throws Exception {
        Instant at = T0;
        byte[] taken = day.takeLock(day.lock("OperationTypeApply", "ci@runner-5d2b", at), at);
        byte[] released = day.releaseLock(at.plusSeconds(30));
        day.handle(taken);
        day.handle(cloudTrail(at, "PutObject", "arn:aws:sts::123456789012:assumed-role/ci/runner-5d2b", "198.51.100.7",
                JSON.readTree(taken).at("/detail/request-id").asText()));
        day.handle(released);
        day.handle(cloudTrail(at.plusSeconds(30), "DeleteObject", "arn:aws:sts::123456789012:assumed-role/platform-admin/erin",
                "192.0.2.44", JSON.readTree(released).at("/detail/request-id").asText()));

        assertEquals(List.of(AlertType.LOCK_FORCE_RELEASED), day.alerts());
        HistoryEvent release = day.history().stream().filter(e -> e.type() == EventType.LOCK_RELEASED).findFirst().orElseThrow();
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
        day.apply(3, StateFixtures.LINEAGE, T0);
        int before = day.history().size();
        InMemoryBackend.StoredObject junk = test.backend.put(LOCK_FILE, "<html>not a lock</html>", T0.plusSeconds(60));

        JsonNode created = day.handle(day.event("s3-lock-file-created.json", LOCK_FILE, T0.plusSeconds(60), junk.versionId(),
                junk.etag()));
        test.backend.delete(LOCK_FILE, T0.plusSeconds(90));
        JsonNode deleted = day.handle(day.event("s3-lock-file-deleted.json", LOCK_FILE, T0.plusSeconds(90), "marker-junk", null));

        assertEquals(1, created.get("skipped").asInt());
        assertEquals(1, deleted.get("skipped").asInt(), "not taken for a second release of the lock before it");
        assertEquals(before, day.history().size());
        List<String> skips = context.lines.stream().filter(line -> line.contains("not a lock file")).toList();
        assertEquals(2, skips.size(), String.join("\n", context.lines));
        assertTrue(skips.stream().noneMatch(line -> line.contains("html")), "the reason never quotes the object");
    }

    @Test
    void onAnUnversionedBucketALockFileGoneBeforeItWasReadIsStillALockThatCoversItsWrites() throws Exception {
        LockInfo quick = day.lock("OperationTypeApply", "ci@runner-7f9c", T0);
        InMemoryBackend.StoredObject object = test.backend.put(LOCK_FILE, quick.toJson(), T0);
        byte[] taken = day.event("s3-lock-file-created.json", LOCK_FILE, T0, null, object.etag());
        byte[] written = day.writeState(3, StateFixtures.LINEAGE, T0.plusSeconds(5));
        test.backend.objects.remove(LOCK_FILE);
        test.backend.versionHistory.clear();  // unversioned: nothing of the lock file is left
        byte[] released = day.event("s3-lock-file-deleted.json", LOCK_FILE, T0.plusSeconds(20), null, null);

        day.handle(taken);
        day.handle(written);
        day.handle(released);

        assertEquals(List.of(), day.alerts(), "the write was made under a lock, whoever held it");
        List<HistoryEvent> locks = day.history().stream().filter(e -> Facts.lockOf(e.facts()) != null).toList();
        assertEquals(2, locks.size());
        Facts.Lock unknown = Facts.lockOf(locks.get(0).facts());
        assertTrue(unknown.id().startsWith("unread-"), unknown.id());
        assertNull(unknown.who(), "who held it is not known, and not guessed");
        assertEquals(unknown.id(), Facts.lockOf(locks.get(1).facts()).id());
        assertEquals(20L, ((Facts.LockReleased) locks.get(1).facts()).heldForSeconds());
    }
}

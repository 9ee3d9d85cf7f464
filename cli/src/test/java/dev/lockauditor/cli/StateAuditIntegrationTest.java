package dev.lockauditor.cli;

import dev.lockauditor.testsupport.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.terraform.LockInfo;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The state-bucket auditing end to end: {@code bin/lock-auditor local} on a moto backend while the test uses
 * the backend exactly as Terraform does, cleanly and in every way that breaks state.
 */
class StateAuditIntegrationTest {

    static final String SECRET = "hunter2-db-password-s3cr3t";
    static final String LINEAGE = "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13";
    static final String OTHER_LINEAGE = "0b9f6a3e-1d2c-4e5f-8a7b-6c5d4e3f2a1b";
    static final int WAIT = 60;

    static final OutputLines OUT = new OutputLines();
    static final OutputLines ERR = new OutputLines();
    static TerraformBackend backend;
    static Thread runner;

    @BeforeAll
    static void startTheAuditor() throws Exception {
        backend = new TerraformBackend("states").createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        Map<String, String> env = MotoServer.environment();
        env.put("LOCK_TABLE", backend.lockTable);
        env.put("STATE_BUCKET", backend.bucket);
        env.put("HISTORY_TABLE", "states-history");
        env.put("DIGEST_GRACE_SECONDS", "3");
        env.put("LOCK_EVENT_LAG_SECONDS", "4");
        runner = new Thread(() -> Main.run(List.of("local", "--duration", "600"), env, OUT.stream, ERR.stream));
        runner.start();
        JsonNode ready = OUT.await(OutputLines.record("ready"), 1, WAIT).get(0);
        assertEquals(backend.bucket, ready.get("stateBucket").asText());
        assertTrue(ready.get("alertTopicArn").asText().startsWith("arn:aws:sns:"));
    }

    @AfterAll
    static void stopTheAuditor() throws Exception {
        runner.interrupt();
        runner.join(15_000);
        String everything = String.join("\n", OUT.all()) + String.join("\n", ERR.all());
        assertFalse(everything.contains(SECRET), "a state's content reached the auditor's output");
        assertFalse(everything.contains("db_password"), "a state's content reached the auditor's output");
    }

    static String state(long serial, String lineage) {
        return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial + ",\n  \"lineage\": \""
                + lineage + "\",\n  \"outputs\": {\n    \"db_password\": {\n      \"value\": \"" + SECRET
                + "\",\n      \"type\": \"string\",\n      \"sensitive\": true\n    }\n  },\n  \"resources\": [],\n"
                + "  \"check_results\": null\n}\n";
    }

    /** terraform apply with a DynamoDB lock: lock, upload the state, store its digest, unlock. */
    static void apply(String key, long serial, String lineage) throws Exception {
        LockInfo lock = backend.lock(key, "OperationTypeApply", "ci@runner-7f9c");
        String digest = backend.putState(key, state(serial, lineage));
        backend.putDigest(key, digest);
        backend.unlock(key, lock.id());
    }

    static Predicate<JsonNode> on(String record, String key) {
        return OutputLines.about(record, backend.lockPath(key));
    }

    static Predicate<JsonNode> event(String event, String key) {
        return OutputLines.history(event, backend.lockPath(key));
    }

    /**
     * Waits for the writes to be recorded and for their checks to be over (the digest grace and the lock event
     * lag are 3 and 4 seconds here), then returns the state's alerts.
     */
    static List<String> alertsAfterWrites(String key, int writes) throws Exception {
        OUT.await(event("STATE_WRITTEN", key), writes, WAIT);
        Thread.sleep(6_000);
        return OUT.matching(on("alert", key)).stream().map(node -> node.get("type").asText()).toList();
    }

    @Test
    void aCleanApplyIsRecordedAndRaisesNothing() throws Exception {
        apply("clean/terraform.tfstate", 1, LINEAGE);

        assertEquals(List.of(), alertsAfterWrites("clean/terraform.tfstate", 1));
        JsonNode written = OUT.await(event("STATE_WRITTEN", "clean/terraform.tfstate"), 1, WAIT).get(0);
        assertEquals(1, written.get("serial").asInt());
        assertEquals(LINEAGE, written.get("lineage").asText());
        OUT.await(event("LOCK_RELEASED", "clean/terraform.tfstate"), 1, WAIT);
    }

    @Test
    void aWrongDigestIsADigestMismatch() throws Exception {
        String key = "wrong-digest/terraform.tfstate";
        LockInfo lock = backend.lock(key, "OperationTypeApply", "ci@runner-7f9c");
        String digest = backend.putState(key, state(1, LINEAGE));
        backend.putDigest(key, "8b1a9953c4611296a827abf8c47804d7");
        backend.unlock(key, lock.id());

        assertEquals(List.of("DIGEST_MISMATCH"), alertsAfterWrites(key, 1));
        JsonNode alert = OUT.matching(on("alert", key)).get(0);
        assertEquals("8b1a9953c4611296a827abf8c47804d7", alert.get("expectedDigest").asText());
        assertEquals(digest, alert.get("actualDigest").asText());
        assertEquals("CRITICAL", alert.get("severity").asText());
        assertTrue(alert.get("remediation").asText().contains(digest));
    }

    @Test
    void aDigestWrittenLateButInTimeIsNoMismatch() throws Exception {
        String key = "late-digest/terraform.tfstate";
        LockInfo lock = backend.lock(key, "OperationTypeApply", "ci@runner-7f9c");
        String digest = backend.putState(key, state(1, LINEAGE));
        Thread.sleep(1_500);
        backend.putDigest(key, digest);
        backend.unlock(key, lock.id());

        assertEquals(List.of(), alertsAfterWrites(key, 1));
    }

    @Test
    void aWriteWithLockFalseIsAnUnlockedWrite() throws Exception {
        String key = "lock-false/terraform.tfstate";
        apply(key, 1, LINEAGE);
        Thread.sleep(3_000);
        backend.putDigest(key, backend.putState(key, state(2, LINEAGE)));

        assertEquals(List.of("UNLOCKED_WRITE"), alertsAfterWrites(key, 2));
    }

    @Test
    void anOlderSerialIsASerialRegression() throws Exception {
        String key = "rollback/terraform.tfstate";
        apply(key, 5, LINEAGE);
        OUT.await(event("STATE_WRITTEN", key), 1, WAIT);
        apply(key, 3, LINEAGE);

        assertEquals(List.of("SERIAL_REGRESSION"), alertsAfterWrites(key, 2));
        JsonNode alert = OUT.matching(on("alert", key)).get(0);
        assertEquals(5, alert.get("previousSerial").asInt());
        assertEquals(3, alert.get("serial").asInt());
    }

    @Test
    void anotherLineageIsALineageChange() throws Exception {
        String key = "lineage/terraform.tfstate";
        apply(key, 5, LINEAGE);
        OUT.await(event("STATE_WRITTEN", key), 1, WAIT);
        apply(key, 1, OTHER_LINEAGE);

        assertEquals(List.of("LINEAGE_CHANGED"), alertsAfterWrites(key, 2));
    }

    @Test
    void aDeletedStateIsAlertedAndItsDigestLeftBehindIsOrphaned() throws Exception {
        String key = "deleted/terraform.tfstate";
        apply(key, 1, LINEAGE);
        assertEquals(List.of(), alertsAfterWrites(key, 1));

        backend.deleteState(key);

        List<JsonNode> alerts = OUT.await(on("alert", key), 2, WAIT);
        assertEquals(java.util.Set.of("STATE_DELETED", "ORPHANED_DIGEST"),
                alerts.stream().map(a -> a.get("type").asText()).collect(java.util.stream.Collectors.toSet()),
                "the deletion once its lock's events had their lag; the digest by the deletion's check or the sweep");
        assertEquals("CRITICAL", alerts.stream().filter(a -> a.get("type").asText().equals("STATE_DELETED"))
                .findFirst().orElseThrow().get("severity").asText());
    }

    @Test
    void aLockFileOnlyApplyIsLockedAndRaisesNothing() throws Exception {
        String key = "lockfile/terraform.tfstate";
        LockInfo lock = backend.lockFile(key, "dev@laptop");
        JsonNode acquired = OUT.await(event("LOCK_ACQUIRED", key), 1, WAIT).get(0);
        backend.putState(key, state(1, LINEAGE));
        backend.unlockFile(key);

        assertEquals(List.of(), alertsAfterWrites(key, 1));
        JsonNode released = OUT.await(event("LOCK_RELEASED", key), 1, WAIT).get(0);
        assertEquals("s3", acquired.get("source").asText());
        assertEquals(lock.id(), acquired.get("lockId").asText());
        assertEquals(lock.id(), released.get("lockId").asText());
        assertEquals("dev@laptop", released.get("who").asText());
    }

    @Test
    void aKeyWithSpacesIsItsOwnState() throws Exception {
        String key = "env:/team a/network/terraform.tfstate";
        apply(key, 1, LINEAGE);

        assertEquals(List.of(), alertsAfterWrites(key, 1));
        JsonNode written = OUT.await(event("STATE_WRITTEN", key), 1, WAIT).get(0);
        assertEquals("team a", written.get("workspace").asText());
    }
}

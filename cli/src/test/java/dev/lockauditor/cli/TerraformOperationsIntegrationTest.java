package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.terraform.LockInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Everyday operations done on moto exactly as Terraform and OpenTofu do them (workspace delete and new, a move to
 * lock files, an apply persisting several times, a lock held on purpose), with {@code bin/lock-auditor local}
 * watching: none is reported as an incident, and what is really broken (two -lock=false applies) is.
 */
class TerraformOperationsIntegrationTest {

    static final String LINEAGE = "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13";
    static final String NEW_LINEAGE = "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716";
    static final int WAIT = 60;

    static final OutputLines OUT = new OutputLines();
    static final OutputLines ERR = new OutputLines();
    static final Map<String, String> ENV = MotoServer.environment();
    static TerraformBackend backend;
    static Thread runner;

    @BeforeAll
    static void startTheAuditor() throws Exception {
        backend = new TerraformBackend("operations").createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        ENV.put("LOCK_TABLE", backend.lockTable);
        ENV.put("STATE_BUCKET", backend.bucket);
        ENV.put("HISTORY_TABLE", "operations-history");
        ENV.put("DIGEST_GRACE_SECONDS", "3");
        ENV.put("LOCK_EVENT_LAG_SECONDS", "4");
        ENV.put("STALE_LOCK_MINUTES", "1");
        runner = new Thread(() -> Main.run(List.of("local", "--duration", "600", "--sweep-every", "2"), ENV,
                OUT.stream, ERR.stream));
        runner.start();
        OUT.await(OutputLines.record("ready"), 1, WAIT);
    }

    @AfterAll
    static void stopTheAuditor() throws Exception {
        runner.interrupt();
        runner.join(15_000);
    }

    static String state(long serial, String lineage, String extra) {
        return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial + ",\n  \"lineage\": \""
                + lineage + "\",\n  \"outputs\": {},\n  \"resources\": [" + extra + "],\n  \"check_results\": null\n}\n";
    }

    static void write(String key, String operation, long serial, String lineage) {
        LockInfo lock = backend.lock(key, operation, "ci@runner-7f9c");
        backend.putDigest(key, backend.putState(key, state(serial, lineage, "")));
        backend.unlock(key, lock.id());
    }

    static Predicate<JsonNode> on(String record, String key) {
        return OutputLines.about(record, backend.lockPath(key));
    }

    static Predicate<JsonNode> event(String event, String key) {
        return OutputLines.history(event, backend.lockPath(key));
    }

    /** Once the writes are recorded and their checks had their grace and lag: the state's alerts. */
    static List<String> alerts(String key, String event, int count) throws Exception {
        OUT.await(event(event, key), count, WAIT);
        Thread.sleep(8_000);
        return OUT.matching(on("alert", key)).stream().map(node -> node.get("type").asText()).toList();
    }

    @Test
    void aWorkspaceDeletedAndMadeAgainIsOneNoticeAndNothingCritical() throws Exception {
        String key = "env:/feature-x/app/terraform.tfstate";
        write(key, "init", 1, LINEAGE);
        write(key, "OperationTypeApply", 2, LINEAGE);
        // terraform workspace delete: lock (labelled state-replace-provider), release, delete the state and its digest.
        LockInfo delete = backend.lock(key, "state-replace-provider", "@runner-1b2c");
        backend.unlock(key, delete.id());
        backend.deleteState(key);
        backend.dynamoDb.deleteItem(b -> b.tableName(backend.lockTable)
                .key(Map.of("LockID", AttributeValue.fromS(backend.lockPath(key) + "-md5"))));
        OUT.await(event("STATE_DELETED", key), 1, WAIT);
        // terraform workspace new feature-x, then an apply: a new lineage at the same key.
        write(key, "workspace-new", 1, NEW_LINEAGE);

        assertEquals(List.of("WORKSPACE_DELETED"), alerts(key, "STATE_WRITTEN", 3));
        JsonNode notice = OUT.await(on("alert", key), 1, WAIT).get(0);
        assertEquals("WARNING", notice.get("severity").asText());
        assertEquals(delete.id(), notice.at("/lock/ID").asText());
        assertTrue(notice.get("summary").asText().contains("an unknown user on runner-1b2c"), notice.toString());
    }

    @Test
    void aBackendMovedToLockFilesIsOneStaleDigestNotAMismatchPerWrite() throws Exception {
        String key = "moved/terraform.tfstate";
        write(key, "OperationTypeApply", 1, LINEAGE);
        OUT.await(event("DIGEST_UPDATED", key), 1, WAIT);
        for (int serial = 2; serial <= 4; serial++) {
            Thread.sleep(2_000);
            backend.lockFile(key, "ci@runner-7f9c");
            Thread.sleep(1_500);
            backend.putState(key, state(serial, LINEAGE, ""));
            Thread.sleep(500);
            backend.unlockFile(key);
        }

        assertEquals(List.of("STALE_DIGEST"), alerts(key, "STATE_WRITTEN", 4));
    }

    @Test
    void twoApplyWithoutTheLockFromTheSameStateAreASerialConflict() throws Exception {
        String key = "raced/terraform.tfstate";
        write(key, "OperationTypeApply", 6, LINEAGE);
        OUT.await(event("STATE_WRITTEN", key), 1, WAIT);
        backend.putDigest(key, backend.putState(key, state(7, LINEAGE, "{\"mode\": \"managed\"}")));
        Thread.sleep(1_500);
        backend.putDigest(key, backend.putState(key, state(7, LINEAGE, "")));

        List<String> alerts = alerts(key, "STATE_WRITTEN", 3);
        assertTrue(alerts.contains("SERIAL_CONFLICT"), alerts.toString());
        assertEquals(1, alerts.stream().filter("SERIAL_CONFLICT"::equals).count(), OUT.matching(on("alert", key)).toString());
    }

    @Test
    void anApplyPersistingThreeTimesUnderOneLockIsHistoryOnly() throws Exception {
        String key = "long-apply/terraform.tfstate";
        LockInfo lock = backend.lock(key, "OperationTypeApply", "ci@runner-7f9c");
        for (int serial = 1; serial <= 3; serial++) {
            backend.putDigest(key, backend.putState(key, state(serial, LINEAGE, "")));
            Thread.sleep(500);
        }
        backend.unlock(key, lock.id());

        assertEquals(List.of(), alerts(key, "STATE_WRITTEN", 3));
    }

    @Test
    void aLockAcknowledgedAsHeldOnPurposeGetsNoStaleAlertAndTheNextLockDoes() throws Exception {
        String key = "maintenance/terraform.tfstate";
        LockInfo held = backend.lock(key, "OperationTypeApply", "alice@laptop-alice", Instant.now().minusSeconds(50));
        OutputLines ackOut = new OutputLines();
        OutputLines ackErr = new OutputLines();

        int status = Main.run(List.of("ack", backend.lockPath(key), "--reason", "database migration", "--for", "8h"),
                ENV, ackOut.stream, ackErr.stream);

        assertEquals(0, status, String.join("\n", ackErr.all()));
        assertTrue(String.join("\n", ackOut.all()).contains("acknowledged lock " + held.id()), ackOut.all().toString());
        Map<String, AttributeValue> ack = HistoryTable.read(backend.dynamoDb, "operations-history", backend.lockPath(key))
                .stream().filter(item -> item.get("event").s().equals("LOCK_ACKNOWLEDGED")).findFirst().orElseThrow();
        assertEquals(held.id(), ack.get("lockId").s());
        assertEquals("database migration", ack.get("reason").s());
        assertTrue(ack.get("acknowledgedBy").s().startsWith("arn:aws:"), "the caller's identity: " + ack);
        Thread.sleep(Duration.ofSeconds(15).toMillis());
        assertEquals(List.of(), OUT.matching(on("alert", key)), "stale for a while now, and acknowledged");

        backend.unlock(key, held.id());
        LockInfo next = backend.lock(key, "OperationTypeApply", "ci@runner-9c2e", Instant.now().minusSeconds(90));
        JsonNode stale = OUT.await(on("alert", key), 1, WAIT).get(0);
        assertEquals("STALE_LOCK", stale.get("type").asText());
        assertEquals(next.id(), stale.at("/lock/ID").asText());
        backend.unlock(key, next.id());
    }
}

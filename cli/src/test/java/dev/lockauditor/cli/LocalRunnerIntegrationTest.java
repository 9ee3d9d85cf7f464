package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import static dev.lockauditor.cli.OutputLines.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.terraform.LockInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** {@code bin/lock-auditor local} against moto, while the test does what Terraform does to the lock table. */
class LocalRunnerIntegrationTest {

    static final AtomicInteger RUN = new AtomicInteger();

    final OutputLines out = new OutputLines();
    final OutputLines err = new OutputLines();
    final List<Thread> runners = new ArrayList<>();
    final AtomicInteger status = new AtomicInteger(-1);

    Thread start(Map<String, String> env) {
        Thread runner = new Thread(() -> status.set(Main.run(List.of("local", "--duration", "120"), env,
                out.stream, err.stream)));
        runner.start();
        runners.add(runner);
        return runner;
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Thread runner : runners) {
            runner.interrupt();
            runner.join(10_000);
        }
    }

    @Test
    void turnsATerraformLockWriteUnlockCycleIntoHistoryAndSurvivesForeignItems() throws Exception {
        TerraformBackend backend = new TerraformBackend("cycle" + RUN.incrementAndGet())
                .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES);
        Map<String, String> env = MotoServer.environment();
        env.put("LOCK_TABLE", backend.lockTable);
        env.put("HISTORY_TABLE", backend.lockTable + "-history");
        start(env);
        JsonNode ready = out.next(record("ready"), 60);
        assertEquals(backend.lockTable, ready.get("lockTable").asText());
        assertEquals(backend.lockTable + "-history", ready.get("historyTable").asText());

        String stateKey = "env:/staging/network/terraform.tfstate";
        backend.putItem(Map.of("LockID", AttributeValue.fromS("feature-flags"), "Enabled", AttributeValue.fromBool(true)));
        backend.putItem(Map.of("LockID", AttributeValue.fromS(backend.lockPath("other.tfstate")),
                "Info", AttributeValue.fromN("42")));
        LockInfo lock = backend.lock(stateKey, "OperationTypeApply", "ci@runner-7f9c");
        backend.putDigest(stateKey, "ad37533d627aecda1ac35c00e2ee3a7f");
        backend.unlock(stateKey, lock.id());

        JsonNode acquired = out.next(record("history"), 30);
        JsonNode digest = out.next(record("history"), 30);
        JsonNode released = out.next(record("history"), 30);
        assertEquals(List.of("LOCK_ACQUIRED", "DIGEST_UPDATED", "LOCK_RELEASED"),
                List.of(acquired.get("event").asText(), digest.get("event").asText(), released.get("event").asText()));
        String path = backend.lockPath(stateKey);
        for (JsonNode event : List.of(acquired, digest, released)) {
            assertEquals(path, event.get("statePath").asText());
            assertEquals("staging", event.get("workspace").asText());
            assertEquals("dynamodb", event.get("source").asText());
        }
        assertEquals(lock.id(), acquired.get("lockId").asText());
        assertEquals("ci@runner-7f9c", acquired.get("who").asText());
        assertEquals("OperationTypeApply", acquired.get("operation").asText());
        assertEquals("ad37533d627aecda1ac35c00e2ee3a7f", digest.get("digest").asText());
        assertEquals(lock.id(), released.get("lockId").asText());
        assertTrue(released.get("heldForSeconds").asLong() >= 0);

        List<Map<String, AttributeValue>> stored = HistoryTable.read(backend.dynamoDb, env.get("HISTORY_TABLE"), path);
        assertEquals(List.of("LOCK_ACQUIRED", "DIGEST_UPDATED", "LOCK_RELEASED"),
                stored.stream().map(item -> item.get("event").s()).toList());
        assertEquals(acquired.get("eventKey").asText(), stored.get(0).get("eventKey").s());
        assertTrue(Long.parseLong(stored.get(0).get("expiresAt").n()) > System.currentTimeMillis() / 1000 + 89 * 86400);

        String logs = String.join("\n", err.all());
        assertTrue(logs.contains("neither a lock (Info) nor a digest"), logs);
        assertTrue(logs.contains("Info is of type N, not a string"), logs);
        assertFalse(out.all().stream().anyMatch(line -> line.contains("feature-flags")));
    }

    @Test
    void saysWhatIsWrongWhenTheLockTableCannotBeWatched() {
        Map<String, String> env = MotoServer.environment();
        assertEquals(2, Main.run(List.of("local"), env, out.stream, err.stream));
        assertTrue(err.all().get(0).contains("STATE_BUCKET is not set"), err.all().toString());

        env.put("LOCK_TABLE", "no-such-table");
        assertEquals(2, Main.run(List.of("local"), env, out.stream, err.stream));
        assertTrue(err.all().get(1).contains("LOCK_TABLE 'no-such-table' does not exist"), err.all().toString());

        TerraformBackend noStream = new TerraformBackend("nostream" + RUN.incrementAndGet()).createLockTable(null);
        env.put("LOCK_TABLE", noStream.lockTable);
        assertEquals(2, Main.run(List.of("local"), env, out.stream, err.stream));
        assertTrue(err.all().get(2).contains("has no stream"), err.all().toString());

        TerraformBackend keysOnly = new TerraformBackend("keysonly" + RUN.incrementAndGet())
                .createLockTable(StreamViewType.KEYS_ONLY);
        env.put("LOCK_TABLE", keysOnly.lockTable);
        assertEquals(2, Main.run(List.of("local"), env, out.stream, err.stream));
        assertTrue(err.all().get(3).contains("needs NEW_AND_OLD_IMAGES"), err.all().toString());

        assertEquals(2, Main.run(List.of("local", "--duration", "soon"), env, out.stream, err.stream));
        assertTrue(out.all().isEmpty(), "nothing on stdout when it cannot start");
    }
}

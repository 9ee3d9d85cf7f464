package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.cli.command.DemoCommand;
import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code backfill} on moto: a lock-file backend with a versioned bucket, used before the auditor was deployed (a
 * locked apply, a {@code -lock=false} write, a rollback under a lock, a deletion). Its history is written once from
 * the bucket's versions, its past anomalies are reported and kept as findings, and {@code history} shows them.
 */
class BackfillIntegrationTest {

    private static final String LINEAGE = "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c";
    private static final String KEY = "env:/staging/network/terraform.tfstate";

    /**
     * Apart by more than the lock coverage's clock skew (2 s) and the second a version's time is cut to, as S3 lists
     * whole seconds: closer than that, versions cannot tell a write from its lock's end, and nothing is claimed.
     */
    private static void apart() throws InterruptedException {
        Thread.sleep(4_200);
    }

    @Test
    void theBucketsVersionsBecomeHistoryOnceWithThePastAnomaliesAsFindings() throws Exception {
        TerraformBackend backend = new TerraformBackend("backfill").createBucket();
        backend.versioned();
        backend.lockFile(KEY, "ci@runner-1");
        backend.putState(KEY, DemoCommand.TeamDay.state(1, LINEAGE));
        backend.unlockFile(KEY);
        apart();
        backend.putState(KEY, DemoCommand.TeamDay.state(2, LINEAGE));                     // -lock=false
        apart();
        backend.lockFile(KEY, "alice@laptop");
        backend.putState(KEY, DemoCommand.TeamDay.state(1, LINEAGE));                     // a rollback
        backend.unlockFile(KEY);
        apart();
        backend.deleteState(KEY);
        backend.putState("plans/network.tfplan", "PK\u0003\u0004");                       // not a state

        Map<String, String> env = MotoServer.environment();
        env.put("STATE_BUCKET", backend.bucket);
        env.put("HISTORY_TABLE", "backfill-history");
        CommandsIntegrationTest.Result first = CommandsIntegrationTest.main(env, "backfill", "--format", "json");

        assertEquals(1, first.status(), "past findings: " + first.stdout() + first.stderr());
        List<JsonNode> findings = first.out().matching(OutputLines.record("finding"));
        assertEquals(List.of("SERIAL_REGRESSION", "STATE_DELETED", "UNLOCKED_WRITE"),
                findings.stream().map(f -> f.get("type").asText()).sorted().toList());
        assertTrue(findings.stream().allMatch(f -> f.get("past").asBoolean() && f.hasNonNull("versionId")),
                findings.toString());
        JsonNode summary = first.out().matching(OutputLines.record("backfill")).get(0);
        assertEquals(3, summary.get("stateWrites").asInt(), summary.toString());
        assertEquals(2, summary.get("lockSessions").asInt());
        assertEquals(1, summary.get("states").asInt());
        assertEquals(3, summary.get("findings").asInt());
        assertTrue(summary.get("requests").asInt() > 10, "counted: " + summary);

        String statePath = backend.lockPath(KEY);
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items =
                HistoryTable.read(backend.dynamoDb, "backfill-history", statePath);
        assertEquals(Map.of("STATE_WRITTEN", 3L, "STATE_DELETED", 2L, "LOCK_ACQUIRED", 2L, "LOCK_RELEASED", 2L,
                "SERIAL_REGRESSION", 1L, "UNLOCKED_WRITE", 1L), items.stream().collect(Collectors.groupingBy(
                item -> item.get("event").s(), Collectors.counting())), "a deletion is an entry and a finding");
        assertTrue(items.stream().allMatch(item -> item.get("source").s().equals("versions")), "marked reconstructed");
        assertTrue(items.stream().noneMatch(item -> item.containsKey("writer")), "nobody is named: versions name nobody");

        CommandsIntegrationTest.Result again = CommandsIntegrationTest.main(env, "backfill", "--format", "json");
        assertEquals(items.size(), HistoryTable.read(backend.dynamoDb, "backfill-history", statePath).size(),
                "run again, it writes nothing new");
        assertEquals(3, again.out().matching(OutputLines.record("finding")).size(), "and reports the same findings");

        CommandsIntegrationTest.Result history = CommandsIntegrationTest.main(env, "history", statePath);
        assertEquals(0, history.status(), history.stderr());
        assertTrue(history.stdout().contains("reconstructed from version"), history.stdout());
        assertTrue(history.stdout().contains("!! past finding HIGH UNLOCKED_WRITE"), history.stdout());
        assertTrue(history.stdout().contains("2 lock sessions"), history.stdout());

        java.nio.file.Path page = java.nio.file.Path.of("target", "backfill-report.html");
        CommandsIntegrationTest.Result report = CommandsIntegrationTest.main(env, "report", "--html", page.toString());
        assertEquals(0, report.status(), report.stderr());
        String html = java.nio.file.Files.readString(page);
        assertEquals(2, html.split("<tr data-lock-id=", -1).length - 1, "each lock session in the table");
        assertTrue(html.contains("ci@runner-1") && html.contains("alice@laptop"), "by holder");
        assertTrue(html.contains("UNLOCKED_WRITE (past finding)"), "the past findings, marked");
        assertTrue(html.contains("(from the bucket's versions)"), "reconstructed writes, marked");
    }
}

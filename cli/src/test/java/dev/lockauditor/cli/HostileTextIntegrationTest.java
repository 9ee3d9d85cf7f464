package dev.lockauditor.cli;

import dev.lockauditor.testsupport.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.PlainText;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.cli.output.Lines;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Hostile text reaches no terminal: the shared corpus, put where whoever writes the backend can put it (a lock's
 * {@code Who} and {@code Operation}, a state's lock path, an object's key), read back by {@code audit}, {@code history},
 * the local runner's timeline and {@code invoke}'s copy of a function's logs as a person runs them, in text and in JSON. No control character or escape sequence of a value
 * reaches the terminal; each is shown as a visible escape, and the state and its holder are still there to read.
 */
class HostileTextIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();

    record Hostile(String name, String value) {
    }

    static List<Hostile> corpus() throws Exception {
        List<Hostile> corpus = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(HostileTextIntegrationTest.class.getResourceAsStream("/hostile-values.json"))) {
            corpus.add(new Hostile(entry.get("name").asText(), entry.has("repeat")
                    ? entry.get("repeat").asText().repeat(entry.get("times").asInt()) : entry.get("value").asText()));
        }
        return corpus;
    }

    /** What a terminal would act on: every control character but the line feed, and the bidirectional controls. */
    static void reachesNoTerminal(String output, String why) {
        for (int i = 0; i < output.length(); i++) {
            char c = output.charAt(i);
            assertFalse(c != '\n' && (PlainText.isControl(c) || PlainText.isBidiControl(c)),
                    String.format("U+%04X reaches the terminal at %d (%s)", (int) c, i, why));
        }
    }

    static CommandsIntegrationTest.Result main(Map<String, String> env, String... args) {
        return CommandsIntegrationTest.main(env, args);
    }

    @Test
    void auditAndHistoryShowTheBackendsValuesAsTextInTextAndInJson() throws Exception {
        TerraformBackend backend = new TerraformBackend("hostile").createLockTable(StreamViewType.NEW_AND_OLD_IMAGES)
                .createBucket();
        AwsClients aws = AwsClients.forTools(MotoServer.environment());
        String historyTable = "hostile-history";
        LocalResources.ensureHistoryTable(aws.dynamoDb(), historyTable);
        DynamoDbHistoryStore history = new DynamoDbHistoryStore(aws.dynamoDb(), historyTable, Duration.ofDays(1));
        List<Hostile> corpus = corpus();
        List<String> paths = new ArrayList<>();
        Instant created = Instant.now().minus(Duration.ofHours(3));
        for (int i = 0; i < corpus.size(); i++) {
            Hostile hostile = corpus.get(i);
            String key = "hostile-" + i + "/" + hostile.value().substring(0, Math.min(200, hostile.value().length()));
            String path = backend.lockPath(key);
            paths.add(path);
            LockInfo lock = new LockInfo(UUID.randomUUID().toString(), hostile.value(), "", hostile.value(), "1.11.2",
                    created.toString(), path);
            backend.putItem(Map.of("LockID", AttributeValue.fromS(path), "Info", AttributeValue.fromS(lock.toJson())));
            StatePath state = new StatePath(path, backend.bucket, key, "default");
            history.write(List.of(
                    new HistoryEvent(state, created, Source.S3_LOCK_FILE, "e" + i, "1", "0",
                            new Facts.LockAcquired(Facts.Lock.of(lock), null)),
                    new HistoryEvent(state, created.plusSeconds(5), Source.STATE_OBJECT, "w" + i, "2", "0",
                            new Facts.StateWritten(new Facts.ObjectFacts(10L, "etag", null, "2", hostile.value(),
                                    "192.0.2.1", "PutObject"), null, "not a state: " + hostile.value(), hostile.value(),
                                    hostile.value(), null)),
                    new HistoryEvent(state, created.plusSeconds(6), Source.LOCK, "a" + i, "3", "STALE_LOCK",
                            new Facts.AlertRaised("STALE_LOCK", "WARNING", lock.id(), hostile.value(), hostile.value(),
                                    Map.of("who", hostile.value()), created.plusSeconds(6), "Stale lock held by "
                                            + hostile.value()))));
        }
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", historyTable);

        CommandsIntegrationTest.Result audit = main(env, "audit", "--bucket", backend.bucket, "--table", backend.lockTable);
        assertEquals(1, audit.status(), audit.stderr());
        reachesNoTerminal(audit.stdout() + audit.stderr(), "audit");
        assertTrue(audit.stdout().contains("\\x1b[31mred\\x1b[0m"), "an escape sequence shown as text: " + audit.stdout());
        assertTrue(audit.stdout().contains("\\u202e"), "a right-to-left override shown, not obeyed");
        assertTrue(audit.stdout().contains("équipe-ü/状态/terraform"), "text that is not ASCII shown as it is");

        CommandsIntegrationTest.Result json = main(env, "audit", "--bucket", backend.bucket, "--table", backend.lockTable,
                "--json");
        reachesNoTerminal(json.stdout(), "audit --json");
        JsonNode report = JSON.readTree(json.stdout());
        List<String> holders = new ArrayList<>();
        report.get("locks").forEach(lock -> holders.add(lock.get("who").asText()));
        for (Hostile hostile : corpus) {
            assertTrue(holders.contains(hostile.value()), "JSON keeps the value as it is, escaped: " + hostile.name());
        }

        for (int i = 0; i < corpus.size(); i++) {
            String why = "history of " + corpus.get(i).name();
            CommandsIntegrationTest.Result text = main(env, "history", paths.get(i), "--since", "1d");
            assertEquals(0, text.status(), text.stderr());
            reachesNoTerminal(text.stdout() + text.stderr(), why);
            assertTrue(text.stdout().contains("hostile-" + i + "/"), "the state is named: " + why);
            assertTrue(text.stdout().contains("!! WARNING STALE_LOCK"), "the alert is there: " + why);
            CommandsIntegrationTest.Result asJson = main(env, "history", paths.get(i), "--since", "1d", "--json");
            reachesNoTerminal(asJson.stdout(), why + " --json");
            assertEquals(corpus.get(i).value(), JSON.readTree(asJson.stdout()).at("/sessions/0/who").asText(), why);
        }
    }

    @Test
    void theLocalRunnersTimelineShowsTheBackendsValuesAsText() throws Exception {
        for (Hostile hostile : corpus()) {
            for (String format : List.of("text", "json")) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                Lines lines = Lines.of(format, new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
                StatePath state = new StatePath("acme/" + hostile.value(), "acme", hostile.value(), "default");
                LockInfo lock = new LockInfo(UUID.randomUUID().toString(), hostile.value(), "", hostile.value(), "1.11.2",
                        Instant.now().toString(), state.path());
                lines.print("history", new HistoryEvent(state, Instant.now(), Source.DYNAMODB, "e", "1", "0",
                        new Facts.LockAcquired(Facts.Lock.of(lock), null)).fields());
                Map<String, Object> alert = new LinkedHashMap<>();
                alert.put("type", "STALE_LOCK");
                alert.put("severity", "WARNING");
                alert.put("statePath", state.path());
                alert.put("summary", "Stale lock held by " + hostile.value());
                alert.put("remediation", "terraform force-unlock " + hostile.value());
                lines.print("alert", alert);
                String output = bytes.toString(StandardCharsets.UTF_8);
                String ours = output.replaceAll("\u001b\\[[0-9;]*m", "");
                reachesNoTerminal(ours, format + ": " + hostile.name());
                assertTrue(output.contains("STALE_LOCK"), output);
            }
        }
    }

    /**
     * {@code invoke}'s copy of a function's log lines: the state events function skips an object that is gone before
     * it could read it, and logs its key; run by {@code bin/lock-auditor invoke} on a batch with one such key for each hostile
     * value, none reaches the terminal, and each log line is still the JSON the function wrote.
     */
    @Test
    void invokeShowsTheFunctionsLogLinesAsText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder)
            throws Exception {
        // An S3 key is at most 1,024 bytes: the corpus's longest value cannot be one.
        List<Hostile> corpus = corpus().stream()
                .filter(hostile -> hostile.value().getBytes(StandardCharsets.UTF_8).length < 1000).toList();
        com.fasterxml.jackson.databind.node.ArrayNode records = JSON.createArrayNode();
        for (int i = 0; i < corpus.size(); i++) {
            var body = JSON.createObjectNode().put("version", "0").put("id", UUID.randomUUID().toString())
                    .put("detail-type", "Object Created").put("source", "aws.s3").put("account", "123456789012")
                    .put("time", "2025-03-14T09:31:40Z").put("region", "us-east-1");
            body.putArray("resources").add("arn:aws:s3:::hostile-invoke");
            var detail = body.putObject("detail").put("version", "0").put("reason", "PutObject");
            detail.putObject("bucket").put("name", "hostile-invoke");
            detail.putObject("object").put("key", "team/" + corpus.get(i).value() + "/terraform.tfstate").put("size", 12)
                    .put("etag", "ad37533d627aecda1ac35c00e2ee3a7f").put("version-id", "v" + i)
                    .put("sequencer", String.format("0062E99A88DC4074%02d", i));
            records.addObject().put("messageId", UUID.randomUUID().toString()).put("receiptHandle", "AQEB" + i)
                    .put("body", JSON.writeValueAsString(body)).put("md5OfBody", "0").put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:state-events").put("awsRegion", "us-east-1")
                    .putObject("messageAttributes");
        }
        java.nio.file.Path event = folder.resolve("hostile-keys.json");
        JSON.writeValue(event.toFile(), JSON.createObjectNode().set("Records", records));
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", "invoke-hostile-history");
        env.put("STATE_BUCKET", "hostile-invoke");
        AwsClients aws = AwsClients.forTools(env);
        LocalResources.ensureHistoryTable(aws.dynamoDb(), "invoke-hostile-history");
        if (!aws.s3().listBuckets().buckets().stream().anyMatch(b -> b.name().equals("hostile-invoke"))) {
            aws.s3().createBucket(b -> b.bucket("hostile-invoke"));
        }

        BinLockAuditorIntegrationTest.Run run = BinLockAuditorIntegrationTest.run(env, "invoke", "StateEventsFunction",
                event.toString());

        assertEquals(0, run.status(), run.err());
        reachesNoTerminal(run.out() + run.err(), "invoke");
        List<JsonNode> skipped = new ArrayList<>();
        for (String line : run.err().lines().filter(l -> l.contains("skipped created s3://hostile-invoke/")).toList()) {
            skipped.add(JSON.readTree(line));
        }
        assertEquals(corpus.size(), skipped.size(), run.err());
        for (Hostile hostile : corpus) {
            assertTrue(skipped.stream().anyMatch(line -> line.path("message").asText()
                    .contains("s3://hostile-invoke/team/" + hostile.value() + "/terraform.tfstate")), hostile.name());
        }
    }
}

package dev.lockauditor.cli;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.runtime.FunctionPackage;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SamTemplate;
import dev.lockauditor.runtime.SqsEnvelope;
import dev.lockauditor.runtime.TerraformS3Backend;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import dev.lockauditor.testsupport.AwsCall;
import dev.lockauditor.testsupport.EmulatedStack;
import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoProxy;
import dev.lockauditor.testsupport.MotoServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


/**
 * Every function as it is deployed: its CodeUri packaged as {@code sam build} packages it, run in a JVM of its own
 * under AWS's Lambda runtime interface client with the handler, memory, logging and environment template.yaml gives
 * it, SnapStart's hooks run before the first event, every sample event in {@code events/} handed over through the
 * Lambda Runtime API; the effects checked on moto (history items, alerts on a queue subscribed to the topic, posts
 * to a Slack webhook served on this machine).
 */
class FunctionsEnd2EndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String BUCKET = "acme-tfstate";
    static final String KEY = "env:/staging/network/terraform.tfstate";
    static final String STATE = "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": 7,\n"
            + "  \"lineage\": \"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\",\n  \"outputs\": {\n    \"secret\": \"hunter2\"\n  }\n}\n";

    static Path packageFolder;
    static SamTemplate template;
    static EmulatedStack stack;
    static AwsClients aws;
    static SqsClient sqs;
    static TerraformS3Backend backend;
    static String historyTable;

    @BeforeAll
    static void deployToMoto() throws Exception {
        packageFolder = FunctionPackage.of(ROOT, "functions/lock-auditor", System.err);
        template = SamTemplate.load(ROOT.resolve("template.yaml"));
        stack = new EmulatedStack(AwsClients.forTools(MotoServer.environment()), "e2e", BUCKET);
        aws = stack.aws;
        sqs = stack.sqs;
        backend = stack.backend;
        historyTable = stack.historyTable;
    }

    /** Every request each function made, as the proxy in front of moto recorded it. */
    static final Map<String, List<AwsCall>> CALLS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final List<MotoProxy> PROXIES = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Least privilege, proven: every request each function made against what its role allows (RoleCheck). */
    @AfterAll
    static void everyRequestWasOneItsRoleAllows() throws Exception {
        try {
            PROXIES.forEach(MotoProxy::close);
            // The stack as deployed names the table's stream: its roles are resolved with one.
            Map<String, String> deployed = new HashMap<>(stack.templateValues("e2e"));
            deployed.put("LockTableStreamArn", "arn:aws:dynamodb:us-east-1:123456789012:table/"
                    + stack.backend.lockTable + "/stream/2025-01-06T10:00:00.000");
            RoleCheck.prove("lock table", CALLS, template, deployed, stack.named());
        } finally {
            stack.close();
        }
    }

    /** The function as the template deploys it, with this stack's resources and short waits. */
    static LambdaProcess start(String name, OutputStream logs) throws Exception {
        return start(name, logs, Map.of());
    }

    static LambdaProcess start(String name, OutputStream logs, Map<String, String> parameters) throws Exception {
        Map<String, String> values = new HashMap<>(stack.templateValues("e2e"));
        values.put("DigestGraceSeconds", "0");
        values.put("LockEventLagSeconds", "0");
        values.putAll(parameters);
        SamTemplate.Function function = template.function(name, values);
        MotoProxy proxy = new MotoProxy(MotoServer.endpoint());
        PROXIES.add(proxy);
        Map<String, String> environment = MotoServer.environment();
        environment.put("AWS_ENDPOINT_URL", proxy.endpoint());
        LambdaProcess process = LambdaProcess.start(function, packageFolder, environment, logs);
        CALLS.computeIfAbsent(name, f -> new java.util.concurrent.CopyOnWriteArrayList<>());
        proxy.record(CALLS.get(name));
        return process;
    }

    static byte[] sample(String file) throws Exception {
        return Files.readAllBytes(ROOT.resolve("events").resolve(file));
    }

    static List<String> events(String prefix) throws Exception {
        try (var files = Files.list(ROOT.resolve("events"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix) && n.endsWith(".json"))
                    .sorted().toList();
        }
    }

    static List<String> historyTypes(String statePath) {
        return HistoryTable.read(aws.dynamoDb(), historyTable, statePath).stream()
                .map(item -> item.get("event").s()).toList();
    }

    static List<JsonNode> alerts() throws Exception {
        List<JsonNode> alerts = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(stack.alertQueueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages();
            for (Message message : messages) {
                alerts.add(JSON.readTree(message.body()));
                sqs.deleteMessage(b -> b.queueUrl(stack.alertQueueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return alerts;
    }

    static void assertAnswered(RuntimeApi.Invocation invocation, String what) {
        assertFalse(invocation.error(), what + " failed: " + invocation.body());
    }

    /** Answered with no message to retry. */
    static void assertDone(RuntimeApi.Invocation invocation, String what) throws Exception {
        assertAnswered(invocation, what);
        assertEquals(0, JSON.readTree(invocation.body()).get("batchItemFailures").size(), what + ": " + invocation.body());
    }

    /** A document as the state events queue hands it to StateEventsFunction: the body of one SQS message. */
    static byte[] queued(byte[] document) {
        return SqsEnvelope.around(document, "us-east-1");
    }

    @Test
    void thePackageHasTheClassesAtItsRootAndOnlyTheRuntimeDependenciesItUsesInLib() throws Exception {
        assertTrue(Files.isRegularFile(packageFolder.resolve("dev/lockauditor/handler/LockEventsHandler.class")));
        List<String> lib;
        try (var files = Files.list(packageFolder.resolve("lib"))) {
            lib = files.map(f -> f.getFileName().toString()).toList();
        }
        assertTrue(lib.stream().anyMatch(n -> n.startsWith("software.amazon.awssdk.dynamodb-")), lib.toString());
        assertTrue(lib.stream().anyMatch(n -> n.startsWith("software.amazon.awssdk.url-connection-client-")));
        assertFalse(lib.stream().anyMatch(n -> n.contains("netty-nio-client") || n.contains("apache-client")),
                "no HTTP client the functions do not use: " + lib);
        assertFalse(lib.stream().anyMatch(n -> n.contains("junit")), "no test dependency: " + lib);
    }

    @Test
    void lockEventsFunctionAnswersEveryStreamSampleAndRecordsTheLockHistory() throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (LambdaProcess function = start("LockEventsFunction", logs)) {
            assertTrue(function.restored(), "SnapStart's checkpoint ran before the first event");
            for (String file : List.of("lock-acquired.json", "lock-acquired-workspace.json", "digest-updated.json",
                    "lock-released.json", "lock-table-apply.json", "foreign-item.json", "lock-removed-by-ttl.json")) {
                RuntimeApi.Invocation invocation = function.invoke(sample(file));
                assertAnswered(invocation, file);
                assertEquals(0, JSON.readTree(invocation.body()).get("batchItemFailures").size(), file);
            }
        }
        List<String> types = historyTypes("acme-tfstate/network/terraform.tfstate");
        assertEquals(List.of("LOCK_ACQUIRED", "DIGEST_UPDATED", "LOCK_RELEASED"),
                types.stream().filter(t -> !t.equals("LOCK_REMOVED_BY_TTL")).distinct().toList());
        assertTrue(types.contains("LOCK_REMOVED_BY_TTL"), "the lock the table's TTL removed is alerted: " + types);
        assertEquals(List.of("LOCK_ACQUIRED"), historyTypes("acme-tfstate/env:/staging/network/terraform.tfstate")
                .stream().filter(t -> t.startsWith("LOCK")).distinct().toList());
        String log = logs.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("\"level\":\"WARN\"") && log.contains("skipped stream record"),
                "JSON log lines, and the foreign items skipped with a reason: " + log);
    }

    @Test
    void stateEventsFunctionAnswersEveryBucketSampleAndAuditsAWriteAsDeployed() throws Exception {
        String versionId = aws.s3().putObject(b -> b.bucket(BUCKET).key(KEY).contentType("application/json"),
                RequestBody.fromString(STATE, StandardCharsets.UTF_8)).versionId();
        backend.lock(KEY, "OperationTypeApply", "ci@runner-7f9c");
        backend.putDigest(KEY, TerraformS3Backend.md5(STATE));
        ObjectNode written = (ObjectNode) JSON.readTree(sample("s3-state-written.json"));
        ((ObjectNode) written.at("/detail/object")).put("version-id", versionId).put("size", STATE.length())
                .put("etag", TerraformS3Backend.md5(STATE));
        written.put("time", Instant.now().toString());

        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (LambdaProcess function = start("StateEventsFunction", logs, Map.of("CallerEnrichment", "create-trail"))) {
            assertTrue(function.restored());
            RuntimeApi.Invocation audited = function.invoke(queued(JSON.writeValueAsBytes(written)));
            assertDone(audited, "the state write");
            for (String file : events("s3-")) {
                assertDone(function.invoke(queued(sample(file))), file);
            }
            for (String file : events("cloudtrail-")) {
                assertDone(function.invoke(queued(sample(file))), file);
            }
            for (String file : events("sqs-")) {
                RuntimeApi.Invocation invocation = function.invoke(sample(file));
                assertAnswered(invocation, file);
                assertTrue(JSON.readTree(invocation.body()).has("batchItemFailures"), invocation.body());
            }
        }
        List<Map<String, AttributeValue>> items = HistoryTable.read(aws.dynamoDb(), historyTable, BUCKET + "/" + KEY);
        Map<String, AttributeValue> write = items.stream().filter(i -> i.get("event").s().equals("STATE_WRITTEN")
                && versionId.equals(i.get("versionId") == null ? null : i.get("versionId").s())).findFirst().orElseThrow();
        assertEquals("7", write.get("serial").n());
        assertTrue(write.get("etagIsMd5").bool(), "a single-part write without SSE-KMS: its ETag is its MD5, as the read said");
        assertEquals("123456789012", write.get("writer").s());
        String everything = items + logs.toString(StandardCharsets.UTF_8);
        assertFalse(everything.contains("hunter2"), "nothing of a state's contents beyond its header leaves");
    }

    @Test
    void theSweepTriggeredAsTheSchedulerTriggersItRaisesAStaleLockAlert() throws Exception {
        String key = "env:/production/database/terraform.tfstate";
        LockInfo lock = backend.lock(key, "OperationTypeApply", "ci@runner-9c2e", Instant.now().minus(Duration.ofHours(2)));
        alerts();

        try (LambdaProcess function = start("StaleLockSweepFunction", null)) {
            assertTrue(function.restored());
            byte[] schedulerDefault = sample("scheduled-sweep.json");
            assertTrue(JSON.readTree(schedulerDefault).get("detail").isTextual());
            RuntimeApi.Invocation sweep = function.invoke(schedulerDefault);
            assertAnswered(sweep, "the sweep");
            assertTrue(JSON.readTree(sweep.body()).get("staleLocks").asInt() >= 1, sweep.body());
            assertAnswered(function.invoke(sample("scheduled-sweep-rule.json")), "a rule's scheduled event");
            assertAnswered(function.invoke(sample("scheduled-sweep-input.json")), "the template's Input");
        } finally {
            backend.unlock(key, lock.id());
        }
        List<JsonNode> stale = alerts().stream().filter(a -> a.path("type").asText().equals("STALE_LOCK")
                && a.path("statePath").asText().equals(BUCKET + "/" + key)).toList();
        assertEquals(1, stale.size(), "alerted once over three sweeps");
        assertEquals(lock.id(), stale.get(0).at("/lock/ID").asText());
        assertEquals("e2e", stale.get(0).get("environment").asText());
    }

    @Test
    void dashboardWidgetFunctionAnswersCloudWatchsRequestWithTheReportOfItsTimeRange() throws Exception {
        Instant now = Instant.now();
        StatePath state = new StatePath(BUCKET + "/env:/staging/widget/terraform.tfstate", BUCKET,
                "env:/staging/widget/terraform.tfstate", "staging");
        Facts.Lock lock = new Facts.Lock("5d2e8a10-widget", "OperationTypeApply", "ci@runner-7f9c", "1.11.2",
                now.minusSeconds(600), "");
        new DynamoDbHistoryStore(aws.dynamoDb(), historyTable, Duration.ofDays(1)).write(List.of(
                new HistoryEvent(state, now.minusSeconds(600), Source.S3_LOCK_FILE, "w1", "1", "0",
                        new Facts.LockAcquired(lock, "v1")),
                new HistoryEvent(state, now.minusSeconds(300), Source.S3_LOCK_FILE, "w2", "2", "0",
                        new Facts.LockReleased(lock, 300L, "m1"))));
        ObjectNode request = (ObjectNode) JSON.readTree(sample("dashboard-widget.json"));
        ObjectNode range = (ObjectNode) request.at("/widgetContext/timeRange");
        range.put("start", now.minus(Duration.ofDays(1)).toEpochMilli()).put("end", now.toEpochMilli());
        range.remove("zoom");

        try (LambdaProcess function = start("DashboardWidgetFunction", null)) {
            assertTrue(function.restored(), "primed and restored as SnapStart does");
            RuntimeApi.Invocation answer = function.invoke(JSON.writeValueAsBytes(request));
            assertAnswered(answer, "the widget");
            String html = JSON.readTree(answer.body()).asText();
            assertTrue(html.contains("data-lock-id=\"5d2e8a10-widget\"") && html.contains("ci@runner-7f9c"), html);
            assertAnswered(function.invoke(sample("dashboard-widget-describe.json")), "its description");
        }
    }

    @Test
    void slackNotifierFunctionPostsEveryAlertSampleToTheWebhookNamedByItsSecret() throws Exception {
        stack.slack.posts.clear();
        try (LambdaProcess function = start("SlackNotifierFunction", null)) {
            assertTrue(function.restored());
            assertAnswered(function.invoke(sample("sns-alert.json")), "the alert");
            assertAnswered(function.invoke(sample("sns-alarm.json")), "the alarm");
        }
        assertEquals(2, stack.slack.posts.size());
        assertTrue(JSON.readTree(stack.slack.posts.get(0)).get("text").asText().startsWith("[WARNING] Stale lock on acme-tfstate/"));
        assertTrue(JSON.readTree(stack.slack.posts.get(1)).get("text").asText().contains("StateEventsDeadLetterAlarm"));
    }

    @Test
    void anUnlockedWriteIsDecidedWhenItsEventComesBackThroughTheQueueNotByWaiting() throws Exception {
        String key = "env:/sandbox/unlocked/terraform.tfstate";
        String versionId = aws.s3().putObject(b -> b.bucket(BUCKET).key(key).contentType("application/json"),
                RequestBody.fromString(STATE, StandardCharsets.UTF_8)).versionId();
        backend.putDigest(key, TerraformS3Backend.md5(STATE));
        ObjectNode written = (ObjectNode) JSON.readTree(sample("s3-state-written.json"));
        ((ObjectNode) written.at("/detail/object")).put("key", key).put("version-id", versionId);
        alerts();

        try (LambdaProcess function = start("StateEventsFunction", null, Map.of("LockEventLagSeconds", "5"))) {
            written.put("time", Instant.now().toString());
            RuntimeApi.Invocation first = function.invoke(sqsEvent(written.toString(), Map.of()));
            assertAnswered(first, "the write's first delivery");
            assertEquals(0, JSON.readTree(first.body()).get("batchItemFailures").size(), first.body());
            assertTrue(alerts().stream().noneMatch(a -> a.path("key").asText().equals(key)),
                    "not alerted before the lock's events had their lag");

            Message back = null;
            for (int i = 0; i < 15 && back == null; i++) {
                back = sqs.receiveMessage(b -> b.queueUrl(stack.stateEventsQueueUrl).messageAttributeNames("All")
                        .waitTimeSeconds(1)).messages().stream().findFirst().orElse(null);
            }
            assertTrue(back != null, "the event came back through the state events queue");
            assertEquals(written.toString(), back.body());
            assertEquals("1", back.messageAttributes().get("lockAuditorRecheck").stringValue());
            String receipt = back.receiptHandle();
            sqs.deleteMessage(b -> b.queueUrl(stack.stateEventsQueueUrl).receiptHandle(receipt));

            RuntimeApi.Invocation second = function.invoke(sqsEvent(back.body(), Map.of("lockAuditorRecheck", "1")));
            assertAnswered(second, "the write coming back");
        }
        List<JsonNode> unlocked = alerts().stream().filter(a -> a.path("key").asText().equals(key)).toList();
        assertEquals(List.of("UNLOCKED_WRITE"), unlocked.stream().map(a -> a.get("type").asText()).toList());
        assertEquals(1, HistoryTable.read(aws.dynamoDb(), historyTable, BUCKET + "/" + key).stream()
                .filter(i -> i.get("event").s().equals("STATE_WRITTEN")).count());
    }

    /** One SQS message as Lambda's event source mapping delivers it (the shape of events/sqs-s3-eventbridge.json). */
    static byte[] sqsEvent(String body, Map<String, String> attributes) throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(sample("sqs-s3-eventbridge.json"));
        ObjectNode record = (ObjectNode) event.at("/Records/0");
        record.put("messageId", java.util.UUID.randomUUID().toString()).put("body", body);
        ObjectNode messageAttributes = record.putObject("messageAttributes");
        attributes.forEach((name, value) -> messageAttributes.putObject(name).put("stringValue", value)
                .put("dataType", "Number"));
        return JSON.writeValueAsBytes(event);
    }
}

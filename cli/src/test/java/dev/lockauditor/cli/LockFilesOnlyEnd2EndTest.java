package dev.lockauditor.cli;

import dev.lockauditor.testsupport.AwsCall;
import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.testsupport.EmulatedStack;
import dev.lockauditor.runtime.FunctionPackage;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SamTemplate;
import dev.lockauditor.terraform.LockInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A backend on lock files alone, deployed as template.yaml deploys it with empty lock-table parameters: every
 * function the stack creates, packaged as {@code sam build} packages it and run under AWS's runtime interface client,
 * answers every sample event of its trigger, and a day of lock files is audited, each function talking to moto
 * through a proxy that records every request it makes.
 */
class LockFilesOnlyEnd2EndTest {

    static final Path ROOT = FunctionsEnd2EndTest.ROOT;
    static final String BUCKET = "lockfiles-tfstate";

    static Path packageFolder;
    static SamTemplate template;
    static EmulatedStack stack;
    static Map<String, String> values;
    /** Every request each function made, as the proxy in front of moto recorded it. */
    static final Map<String, List<AwsCall>> CALLS = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void deployWithoutALockTable() throws Exception {
        packageFolder = FunctionPackage.of(ROOT, "functions/lock-auditor", System.err);
        template = SamTemplate.load(ROOT.resolve("template.yaml"));
        stack = new EmulatedStack(AwsClients.forTools(MotoServer.environment()), "lockfiles", BUCKET, false);
        values = new HashMap<>(stack.templateValues("e2e"));
        values.put("DigestGraceSeconds", "0");
        values.put("LockEventLagSeconds", "0");
        assertEquals("", values.get("LockTableName"));
        assertEquals(null, values.get("LockTableStreamArn"), "its default, empty");
    }

    /** Least privilege, proven on a backend without a lock table (RoleCheck). */
    @AfterAll
    static void everyRequestWasOneItsRoleAllows() throws Exception {
        try {
            RoleCheck.prove("lock files only", CALLS, template, values, stack.named());
        } finally {
            stack.close();
        }
    }

    /** A function as the template deploys it; its requests are kept in {@link #calls} when it stops. */
    static final class Deployed implements AutoCloseable {
        private final String name;
        private final DeployedFunction function;

        private Deployed(String name, DeployedFunction function) {
            this.name = name;
            this.function = function;
        }

        static Deployed start(String name) throws Exception {
            return new Deployed(name, DeployedFunction.start(template.function(name, values), packageFolder, null));
        }

        LambdaProcess process() {
            return function.process;
        }

        RuntimeApi.Invocation invoke(byte[] event) throws InterruptedException {
            return function.invoke(event);
        }

        @Override
        public void close() {
            CALLS.computeIfAbsent(name, f -> new java.util.concurrent.CopyOnWriteArrayList<>()).addAll(function.calls());
            function.close();
        }
    }

    /** The sample events of each function, as events/README.md names them. */
    static Map<String, List<String>> samplesByFunction() throws Exception {
        Map<String, List<String>> samples = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| (`[^|]+`) \\| (\\w+Function) \\|")
                .matcher(Files.readString(ROOT.resolve("events/README.md")));
        while (row.find()) {
            Matcher file = Pattern.compile("`([^`]+\\.json)`").matcher(row.group(1));
            while (file.find()) {
                samples.computeIfAbsent(row.group(2), f -> new ArrayList<>()).add(file.group(1));
            }
        }
        return samples;
    }

    /** An EventBridge object event of the bucket, in the shape of a sample. */
    static byte[] objectEvent(String sample, String key, Instant at, String versionId, String etag) throws Exception {
        ObjectNode event = (ObjectNode) FunctionsEnd2EndTest.JSON.readTree(FunctionsEnd2EndTest.sample(sample));
        event.put("time", at.toString()).put("id", java.util.UUID.randomUUID().toString());
        ((ObjectNode) event.at("/detail/bucket")).put("name", BUCKET);
        ObjectNode object = (ObjectNode) event.at("/detail/object");
        object.put("key", key).put("version-id", versionId).put("sequencer", Long.toHexString(System.nanoTime()).toUpperCase());
        if (etag != null) {
            object.put("etag", etag);
        }
        return FunctionsEnd2EndTest.JSON.writeValueAsBytes(event);
    }

    static List<JsonNode> alerts() throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (var message : stack.sqs.receiveMessage(b -> b.queueUrl(stack.alertQueueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages()) {
                alerts.add(FunctionsEnd2EndTest.JSON.readTree(message.body()));
                stack.sqs.deleteMessage(b -> b.queueUrl(stack.alertQueueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return alerts;
    }

    @Test
    void everyFunctionTheStackCreatesAnswersItsSamplesAndALockFilesDayIsAuditedWithNoLockTableRead() throws Exception {
        Set<String> created = template.resourcesCreated(values);
        List<String> functions = template.functionNames().stream().filter(created::contains).toList();
        assertEquals(List.of("DashboardWidgetFunction", "SlackNotifierFunction", "StaleLockSweepFunction",
                "StateEventsFunction"), functions);
        Map<String, List<String>> samples = samplesByFunction();
        alerts();

        String key = "env:/staging/network/terraform.tfstate";
        var s3 = stack.aws.s3();
        LockInfo lock = new LockInfo(java.util.UUID.randomUUID().toString(), "OperationTypeApply", "", "ci@runner-7f9c",
                "1.11.2", Instant.now().toString(), BUCKET + "/" + key);
        var taken = s3.putObject(b -> b.bucket(BUCKET).key(key + ".tflock").contentType("application/json").ifNoneMatch("*"),
                RequestBody.fromString(lock.toJson(), StandardCharsets.UTF_8));
        var locked = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("application/json"),
                RequestBody.fromString(FunctionsEnd2EndTest.STATE, StandardCharsets.UTF_8));
        var released = s3.deleteObject(b -> b.bucket(BUCKET).key(key + ".tflock"));
        Instant lockedAt = Instant.now();
        Thread.sleep(3_000);  // later than a lock file's release may be taken for the same moment (2 s)
        Instant unlockedAt = Instant.now();
        var unlocked = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("application/json"),
                RequestBody.fromString(FunctionsEnd2EndTest.STATE.replace("\"serial\": 7", "\"serial\": 8"),
                        StandardCharsets.UTF_8));
        String leftKey = "env:/production/database/terraform.tfstate";
        LockInfo left = new LockInfo(java.util.UUID.randomUUID().toString(), "OperationTypeApply", "", "ci@runner-9c2e",
                "1.11.2", Instant.now().minus(Duration.ofHours(2)).toString(), BUCKET + "/" + leftKey);
        var leftBehind = s3.putObject(b -> b.bucket(BUCKET).key(leftKey + ".tflock").contentType("application/json")
                .ifNoneMatch("*"), RequestBody.fromString(left.toJson(), StandardCharsets.UTF_8));

        try (Deployed stateEvents = Deployed.start("StateEventsFunction")) {
            assertTrue(stateEvents.process().restored(), "SnapStart's checkpoint ran before the first event");
            for (String file : samples.get("StateEventsFunction")) {
                RuntimeApi.Invocation invocation = stateEvents.invoke(FunctionsEnd2EndTest.sample(file));
                FunctionsEnd2EndTest.assertAnswered(invocation, file);
            }
            for (byte[] event : List.of(
                    objectEvent("s3-lock-file-created.json", key + ".tflock", lockedAt, taken.versionId(),
                            taken.eTag().replace("\"", "")),
                    objectEvent("s3-state-written.json", key, lockedAt, locked.versionId(), locked.eTag().replace("\"", "")),
                    objectEvent("s3-lock-file-deleted.json", key + ".tflock", lockedAt, released.versionId(), null),
                    objectEvent("s3-state-written.json", key, unlockedAt, unlocked.versionId(),
                            unlocked.eTag().replace("\"", "")),
                    objectEvent("s3-lock-file-created.json", leftKey + ".tflock", unlockedAt, leftBehind.versionId(),
                            leftBehind.eTag().replace("\"", "")))) {
                RuntimeApi.Invocation invocation = stateEvents.invoke(event);
                FunctionsEnd2EndTest.assertDone(invocation, new String(event, StandardCharsets.UTF_8));
            }
        }
        for (String name : List.of("StaleLockSweepFunction", "SlackNotifierFunction", "DashboardWidgetFunction")) {
            try (Deployed function = Deployed.start(name)) {
                assertTrue(function.process().restored(), name);
                for (String file : samples.get(name)) {
                    FunctionsEnd2EndTest.assertAnswered(function.invoke(FunctionsEnd2EndTest.sample(file)), file);
                }
            }
        }

        List<String> history = HistoryTable.read(stack.aws.dynamoDb(), stack.historyTable, BUCKET + "/" + key).stream()
                .map(item -> item.get("event").s() + (item.containsKey("source") ? " " + item.get("source").s() : ""))
                .toList();
        assertTrue(history.containsAll(List.of("LOCK_ACQUIRED s3", "LOCK_RELEASED s3")), history.toString());
        List<JsonNode> raised = alerts();
        assertEquals(1, raised.stream().filter(a -> a.path("type").asText().equals("UNLOCKED_WRITE")
                && a.path("key").asText().equals(key)).count(), raised.toString());
        List<JsonNode> stale = raised.stream().filter(a -> a.path("type").asText().equals("STALE_LOCK")).toList();
        assertEquals(1, stale.size(), "the lock file left behind, alerted once over three sweeps: " + raised);
        assertEquals(left.id(), stale.get(0).at("/lock/ID").asText());

        List<AwsCall> dynamoDb = CALLS.values().stream().flatMap(List::stream)
                .filter(call -> call.action().startsWith("dynamodb:")).toList();
        assertFalse(dynamoDb.isEmpty(), "history is written");
        assertTrue(dynamoDb.stream().allMatch(call -> call.resource().equals(stack.historyTable)),
                "no request reaches DynamoDB but the history table's: " + dynamoDb.stream()
                        .filter(call -> !call.resource().equals(stack.historyTable)).toList());
    }
}

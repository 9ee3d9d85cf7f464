package dev.lockauditor.cli;

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
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SamTemplate;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * No write slips past, on moto, with StateEventsFunction as deployed (packaged as {@code sam build} packages it, under
 * the runtime interface client) on a backend on lock files alone: a rollback whose keys were sorted, a state far larger
 * than the function's heap with its header at its end, and what Terraform cannot load written over a live state.
 */
class NoWriteSlipsPastEnd2EndTest {

    static final String BUCKET = "slips-tfstate";
    static final String KEY = "prod/network/terraform.tfstate";
    static final String LINEAGE = "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13";
    static final String SECRET = "hunter2-db-password-s3cr3t";

    static Path packageFolder;
    static SamTemplate.Function function;
    static EmulatedStack stack;

    @BeforeAll
    static void deploy() throws Exception {
        packageFolder = FunctionPackage.of(FunctionsEnd2EndTest.ROOT, "functions/lock-auditor", System.err);
        stack = new EmulatedStack(AwsClients.forTools(MotoServer.environment()), "slips", BUCKET, false);
        Map<String, String> values = new HashMap<>(stack.templateValues("e2e"));
        values.put("LockEventLagSeconds", "0");
        function = SamTemplate.load(FunctionsEnd2EndTest.ROOT.resolve("template.yaml"))
                .function("StateEventsFunction", values);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static String state(long serial) {
        return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial + ",\n  \"lineage\": \""
                + LINEAGE + "\",\n  \"outputs\": {\n    \"db_password\": {\n      \"value\": \"" + SECRET
                + "\",\n      \"type\": \"string\",\n      \"sensitive\": true\n    }\n  },\n  \"resources\": [],\n"
                + "  \"check_results\": null\n}\n";
    }

    /** A state as Terraform writes it, header first, whose resources take {@code padding} bytes. */
    static String large(long serial, int padding) {
        return state(serial).replace("\"resources\": []", "\"resources\": [{\"policy\": \"" + "p".repeat(padding) + "\"}]");
    }

    /** {@code jq -S .} of a state whose resources take {@code padding} bytes: serial and version come last. */
    static InputStream sorted(long serial, long padding) {
        byte[] head = ("{\n  \"check_results\": null,\n  \"lineage\": \"" + LINEAGE + "\",\n  \"outputs\": {\n"
                + "    \"db_password\": {\n      \"sensitive\": true,\n      \"type\": \"string\",\n      \"value\": \""
                + SECRET + "\"\n    }\n  },\n  \"resources\": [\n    {\n      \"policy\": \"").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\"\n    }\n  ],\n  \"serial\": " + serial + ",\n  \"terraform_version\": \"1.11.2\",\n"
                + "  \"version\": 4\n}\n").getBytes(StandardCharsets.UTF_8);
        long size = head.length + padding + tail.length;
        return new InputStream() {
            long at;

            @Override
            public int read() {
                long i = at++;
                return i < head.length ? head[(int) i] & 0xFF : i < head.length + padding ? 'p'
                        : i < size ? tail[(int) (i - head.length - padding)] & 0xFF : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (at >= size) {
                    return -1;
                }
                int n = 0;
                while (n < length && at < size) {
                    long i = at;
                    if (i >= head.length && i < head.length + padding) {
                        int run = (int) Math.min(length - n, head.length + padding - i);
                        Arrays.fill(buffer, offset + n, offset + n + run, (byte) 'p');
                        at += run;
                        n += run;
                    } else {
                        buffer[offset + n++] = (byte) read();
                    }
                }
                return n;
            }
        };
    }

    static long sortedSize(long serial, long padding) throws Exception {
        return sorted(serial, 0).readAllBytes().length + padding;
    }

    static PutObjectResponse put(String key, InputStream body, long length) {
        return stack.aws.s3().putObject(b -> b.bucket(BUCKET).key(key).contentType("application/json"),
                RequestBody.fromContentProvider(() -> body, length, "application/json"));
    }

    static PutObjectResponse put(String key, byte[] body) {
        return stack.aws.s3().putObject(b -> b.bucket(BUCKET).key(key).contentType("text/html"),
                RequestBody.fromBytes(body));
    }

    /** The EventBridge event of a write, in the shape of events/s3-state-written.json. */
    static byte[] written(String key, PutObjectResponse put, long size) throws Exception {
        ObjectNode event = (ObjectNode) FunctionsEnd2EndTest.JSON.readTree(FunctionsEnd2EndTest.sample("s3-state-written.json"));
        event.put("time", Instant.now().toString()).put("id", java.util.UUID.randomUUID().toString());
        ((ObjectNode) event.at("/detail/bucket")).put("name", BUCKET);
        ((ObjectNode) event.at("/detail/object")).put("key", key).put("version-id", put.versionId())
                .put("etag", put.eTag().replace("\"", "")).put("size", size)
                .put("sequencer", Long.toHexString(System.nanoTime()).toUpperCase());
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

    static List<String> types(List<JsonNode> alerts) {
        return alerts.stream().map(a -> a.get("type").asText()).sorted().toList();
    }

    static long reads(DeployedFunction deployed, String key) {
        return deployed.calls().stream().filter(call -> call.action().startsWith("s3:GetObject")
                && call.resource().equals(BUCKET + "/" + key)).count();
    }

    static void answered(RuntimeApi.Invocation invocation) throws Exception {
        FunctionsEnd2EndTest.assertDone(invocation, "the write");
    }

    @Test
    void aRollbackWithSortedKeysAndAHugeStateReadThroughInASmallHeapAndWhatTerraformCannotLoadAreAllCaught()
            throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (DeployedFunction deployed = DeployedFunction.start(function.withMemory(75), packageFolder, logs)) {
            assertTrue(deployed.process.restored());
            alerts();

            String live = state(6);
            PutObjectResponse liveWrite = put(KEY, new java.io.ByteArrayInputStream(live.getBytes(StandardCharsets.UTF_8)),
                    live.length());
            answered(deployed.invoke(written(KEY, liveWrite, live.length())));
            assertEquals(List.of("UNLOCKED_WRITE"), types(alerts()), "the live state, written without a lock here");

            long before = reads(deployed, KEY);
            long size = sortedSize(3, 100_000);
            answered(deployed.invoke(written(KEY, put(KEY, sorted(3, 100_000), size), size)));
            List<JsonNode> rollback = alerts();
            assertEquals(List.of("SERIAL_REGRESSION", "UNLOCKED_WRITE"), types(rollback));
            JsonNode regression = rollback.stream().filter(a -> a.get("type").asText().equals("SERIAL_REGRESSION"))
                    .findFirst().orElseThrow();
            assertEquals(6, regression.get("previousSerial").asInt());
            assertEquals(3, regression.get("serial").asInt());
            assertEquals(liveWrite.versionId(), regression.at("/restore/versionId").asText(),
                    "the version the rollback replaced, to bring back");
            assertEquals(6, regression.at("/restore/serial").asInt());
            assertEquals(3, reads(deployed, KEY) - before, "its first 64 KiB, then the rest once (each byte read once), "
                    + "and the header of the version it replaced, for the alert's restore");

            long huge = sortedSize(7, 200L * 1024 * 1024);
            answered(deployed.invoke(written(KEY, put(KEY, sorted(7, 200L * 1024 * 1024), huge), huge)));
            assertEquals(List.of("UNLOCKED_WRITE"), types(alerts()), "200 MiB read through a 64 MiB heap, serial 7 found");
            JsonNode hugeWrite = FunctionsEnd2EndTest.JSON.valueToTree(HistoryTable.read(stack.aws.dynamoDb(),
                    stack.historyTable, BUCKET + "/" + KEY).stream().filter(item -> item.get("event").s()
                    .equals("STATE_WRITTEN") && item.get("size").n().equals(Long.toString(huge))).findFirst()
                    .orElseThrow().get("serial").n());
            assertEquals("7", hugeWrite.asText());

            String lastGood = put(KEY, new java.io.ByteArrayInputStream(state(8).getBytes(StandardCharsets.UTF_8)),
                    state(8).length()).versionId();
            for (byte[] body : List.of("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8),
                    "{}".getBytes(StandardCharsets.UTF_8),
                    Arrays.copyOf(state(9).getBytes(StandardCharsets.UTF_8), 200),
                    // cut short well past its first 64 KiB, which hold its header
                    Arrays.copyOf(large(9, 150_000).getBytes(StandardCharsets.UTF_8), 120_000),
                    new byte[0])) {
                answered(deployed.invoke(written(KEY, put(KEY, body), body.length)));
            }
            List<JsonNode> unreadable = alerts().stream().filter(a -> a.get("type").asText().equals("STATE_UNREADABLE"))
                    .toList();
            assertEquals(5, unreadable.size(), "one each: " + unreadable);
            assertEquals(List.of("a JSON object", "a JSON object", "a JSON object", "an HTML page", "nothing (zero bytes)"),
                    unreadable.stream().map(a -> a.get("found").asText()).sorted().toList());
            for (JsonNode alert : unreadable) {
                assertEquals("123456789012", alert.get("writer").asText(), "who wrote it, as the event names them");
                assertEquals(lastGood, alert.at("/restore/versionId").asText(), "the last version that reads as a state");
                assertEquals(8, alert.at("/restore/serial").asInt());
            }
            var kept = HistoryTable.read(stack.aws.dynamoDb(), stack.historyTable, BUCKET + "/" + KEY).stream()
                    .filter(item -> item.get("event").s().equals("STATE_UNREADABLE")).toList();
            assertEquals(5, kept.size());
            assertEquals(lastGood, kept.get(0).get("restore").m().get("versionId").s(), "the restore kept as it was raised");
            RestorePlanIntegrationTest.runAsPrinted(unreadable.get(0).at("/restore/commands"));
            assertEquals(state(8), stack.aws.s3().getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY))
                    .asString(StandardCharsets.UTF_8), "the alert's restore commands, run as printed, bring it back");

            // A whole large state: its first 64 KiB, then its last bytes, close its object.
            byte[] whole = large(9, 150_000).getBytes(StandardCharsets.UTF_8);
            long beforeLarge = reads(deployed, KEY);
            answered(deployed.invoke(written(KEY, put(KEY, whole), whole.length)));
            assertEquals(List.of("UNLOCKED_WRITE"), types(alerts()), "a state, written without a lock here");
            assertEquals(2, reads(deployed, KEY) - beforeLarge);

            for (String[] other : new String[][] {{"plans/network.tfplan", "PK\u0003\u0004plan"}, {"lambda/handler.zip", "PK\u0003\u0004zip"}}) {
                byte[] body = other[1].getBytes(StandardCharsets.ISO_8859_1);
                RuntimeApi.Invocation invocation = deployed.invoke(written(other[0], put(other[0], body), body.length));
                FunctionsEnd2EndTest.assertDone(invocation, other[0]);
                // The function's log lines reach this process through a pipe: a line may come just after the answer.
                String skipped = "skipped created s3://" + BUCKET + "/" + other[0];
                for (int wait = 0; wait < 50 && !logs.toString(StandardCharsets.UTF_8).contains(skipped); wait++) {
                    Thread.sleep(100);
                }
                assertTrue(logs.toString(StandardCharsets.UTF_8).contains(skipped), other[0] + " skipped with its reason");
            }
            assertEquals(List.of(), types(alerts()), "a plan file and a zip at other keys raise nothing");
        }
        String everything = logs.toString(StandardCharsets.UTF_8) + HistoryTable.read(stack.aws.dynamoDb(),
                stack.historyTable, BUCKET + "/" + KEY);
        assertFalse(everything.contains(SECRET) || everything.contains("Bad Gateway") || everything.contains("ppppp"),
                "nothing of what was written beyond a state's header leaves the function");
    }
}

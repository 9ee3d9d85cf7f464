package dev.lockauditor.cli;

import dev.lockauditor.config.Environments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.cli.aws.LocalResources;
import dev.lockauditor.cli.lambda.LambdaStreamEvents;
import dev.lockauditor.cli.lambda.LocalContext;
import dev.lockauditor.cli.output.PrintingHistoryStore;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.handler.StateEventsHandler;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.LockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The functions under the faults an operator meets, on moto with the real SDK: the lock table's stream lagging the
 * bucket's events by minutes, the endpoint down, DynamoDB throttling, a crash between claiming and publishing an
 * alert, a lost release, objects the auditor cannot read. Time that must pass (minutes of lag) is a clock the test
 * moves; everything else is real.
 */
class FaultsIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger NAMES = new AtomicInteger();
    static final AtomicInteger SEQUENCERS = new AtomicInteger(0x1000);

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** One backend on moto, and the functions' components over it (through {@code endpoint} when one is given). */
    final class Stack {
        final TerraformBackend backend = new TerraformBackend("faults-" + NAMES.incrementAndGet())
                .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        final String historyTable = backend.bucket + "-history";
        final MovableClock clock = new MovableClock();
        final List<Alert> published = new CopyOnWriteArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        final ByteArrayOutputStream metrics = new ByteArrayOutputStream();
        final List<String> rechecks = new CopyOnWriteArrayList<>();
        final DynamoDbStreamsClient streams = AwsClients.forTools(MotoServer.environment()).dynamoDbStreams();
        final String streamArn;
        String delivered;

        Stack() {
            AwsClients moto = AwsClients.forTools(MotoServer.environment());
            LocalResources.ensureHistoryTable(moto.dynamoDb(), historyTable);
            streamArn = moto.dynamoDb().describeTable(b -> b.tableName(backend.lockTable)).table().latestStreamArn();
        }

        Map<String, String> env(Map<String, String> endpoint) {
            Map<String, String> env = new java.util.HashMap<>(endpoint);
            env.put("LOCK_TABLE", backend.lockTable);
            env.put("STATE_BUCKET", backend.bucket);
            env.put("HISTORY_TABLE", historyTable);
            env.put("LOCK_TABLE_STREAM_ARN", streamArn);
            env.put("LOCK_EVENT_LAG_SECONDS", "4");
            env.put("DIGEST_GRACE_SECONDS", "3");
            return env;
        }

        /** The functions' components as deployed, with alerts collected and history lines printed as local prints them. */
        Components components(Map<String, String> endpoint) {
            Config config = Config.from(env(endpoint));
            AwsClients aws = AwsClients.forTools(env(endpoint));
            HistoryStore history = new PrintingHistoryStore(Components.historyStore(config, aws),
                    (record, fields) -> lines.add(record + " " + fields.get("event") + " " + fields.get("eventKey")),
                    config.environmentsByKey());
            Components real = Components.of(config, aws, history, published::add,
                    new Metrics(new PrintStream(metrics, true, StandardCharsets.UTF_8), Environments.only("test"), clock));
            OnceAlerts alerts = new OnceAlerts(history, published::add, clock);
            return new Components(config, history, real.bookkeeping(), real.locks(), real.bucket(), real.lockStream(),
                    published::add, alerts, real.alertText(), real.metrics(), clock,
                    (document, at, attempt) -> rechecks.add(document));
        }

        Components components() {
            return components(MotoServer.environment());
        }

        /** What the lock table's stream holds after what was delivered last. */
        List<Record> pendingStreamRecords() {
            String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0).shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                    .shardIteratorType(delivered == null ? ShardIteratorType.TRIM_HORIZON : ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                    .sequenceNumber(delivered)).shardIterator();
            return streams.getRecords(b -> b.shardIterator(iterator)).records();
        }

        /** LockEventsFunction handed what the stream holds now, as Lambda's event source mapping hands it. */
        StreamsEventResponse deliverLockEvents(Components components, List<Record> records) {
            DynamodbEvent event = LambdaEventSerializers.serializerFor(DynamodbEvent.class, getClass().getClassLoader())
                    .fromJson(LambdaStreamEvents.toEventJson(records, streamArn));
            StreamsEventResponse response = new LockEventsHandler(components).handleRequest(event, context("LockEventsFunction"));
            if (response.getBatchItemFailures().isEmpty()) {
                delivered = records.get(records.size() - 1).dynamodb().sequenceNumber();
            }
            return response;
        }

        /** A plan's lock taken and released, and recorded: the lock stream has a watermark from then on. */
        void recordALockChange(Components components) {
            LockInfo plan = backend.lock("warmup/terraform.tfstate", "OperationTypePlan", "ci@runner");
            backend.unlock("warmup/terraform.tfstate", plan.id());
            assertTrue(catchUp(components).getBatchItemFailures().isEmpty());
        }

        StreamsEventResponse catchUp(Components components) {
            return deliverLockEvents(components, pendingStreamRecords());
        }

        /** The EventBridge event S3 sends for an object written now (AWS's documented shape, events/s3-state-written.json). */
        String written(String key) throws Exception {
            HeadObjectResponse head = AwsClients.forTools(MotoServer.environment()).s3()
                    .headObject(b -> b.bucket(backend.bucket).key(key));
            JsonNode sample = JSON.readTree(java.nio.file.Files.readString(java.nio.file.Path.of("..", "events",
                    "s3-state-written.json")));
            com.fasterxml.jackson.databind.node.ObjectNode event = sample.deepCopy();
            event.put("time", head.lastModified().toString());
            event.put("id", java.util.UUID.randomUUID().toString());
            com.fasterxml.jackson.databind.node.ObjectNode detail = (com.fasterxml.jackson.databind.node.ObjectNode) event.get("detail");
            detail.putObject("bucket").put("name", backend.bucket);
            com.fasterxml.jackson.databind.node.ObjectNode object = detail.putObject("object");
            object.put("key", key).put("size", head.contentLength()).put("etag", head.eTag().replace("\"", ""))
                    .put("sequencer", String.format("%018X", SEQUENCERS.incrementAndGet()));
            if (head.versionId() != null) {
                object.put("version-id", head.versionId());
            }
            detail.put("requester", "arn:aws:sts::123456789012:assumed-role/ops/alice");
            return event.toString();
        }

        /** StateEventsFunction handed one event through the state events queue (SQS), as Lambda hands it. */
        JsonNode deliverStateEvent(Components components, String document, int attempt) throws Exception {
            com.fasterxml.jackson.databind.node.ObjectNode sqs = JSON.createObjectNode();
            com.fasterxml.jackson.databind.node.ObjectNode record = sqs.putArray("Records").addObject()
                    .put("messageId", java.util.UUID.randomUUID().toString()).put("body", document)
                    .put("eventSource", "aws:sqs").put("awsRegion", "us-east-1");
            if (attempt > 0) {
                record.putObject("messageAttributes").putObject("attempt").put("stringValue", Integer.toString(attempt))
                        .put("dataType", "Number");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new StateEventsHandler(components).handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(sqs)), out,
                    context("StateEventsFunction"));
            return JSON.readTree(out.toByteArray());
        }

        List<AlertType> alerts() {
            return published.stream().map(Alert::type).toList();
        }

        List<String> history(String key) {
            return HistoryTable.read(AwsClients.forTools(MotoServer.environment()).dynamoDb(), historyTable,
                    backend.lockPath(key)).stream().map(item -> item.get("event").s()).toList();
        }
    }

    static LocalContext context(String function) {
        return new LocalContext(function, new PrintStream(OutputStream.nullOutputStream()));
    }

    static String state(long serial) {
        return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial
                + ",\n  \"lineage\": \"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\",\n  \"outputs\": {}\n}\n";
    }

    /**
     * The lock table's stream held back for two minutes (LockEventsFunction throttled, or failing and retrying)
     * while a clean apply and an unlocked write happen: nothing is alerted while it lags, and once it catches up
     * only the unlocked write is, once.
     */
    @Test
    void withTheLockStreamHeldBackOnlyTheUnlockedWriteIsAlertedOnceAfterItCatchesUp() throws Exception {
        Stack stack = new Stack();
        Components components = stack.components();
        stack.recordALockChange(components);

        LockInfo lock = stack.backend.lock("applied/terraform.tfstate", "OperationTypeApply", "ci@runner");
        stack.backend.putDigest("applied/terraform.tfstate", stack.backend.putState("applied/terraform.tfstate", state(2)));
        stack.backend.unlock("applied/terraform.tfstate", lock.id());
        stack.backend.putState("unlocked/terraform.tfstate", state(9));
        String applied = stack.written("applied/terraform.tfstate");
        String unlocked = stack.written("unlocked/terraform.tfstate");

        stack.clock.advance(Duration.ofSeconds(10));
        stack.deliverStateEvent(components, applied, 0);
        stack.deliverStateEvent(components, unlocked, 0);
        for (int look = 1; look <= 8; look++) {
            stack.clock.advance(Duration.ofSeconds(15));
            stack.deliverStateEvent(components, applied, look);
            stack.deliverStateEvent(components, unlocked, look);
        }
        assertEquals(List.of(), stack.alerts(), "two minutes of lag decide nothing");
        assertEquals(18, stack.rechecks.size(), "each look sent its event back for the next");

        assertTrue(stack.catchUp(components).getBatchItemFailures().isEmpty());
        stack.clock.advance(Duration.ofSeconds(15));
        stack.deliverStateEvent(components, applied, 9);
        stack.deliverStateEvent(components, unlocked, 9);
        stack.deliverStateEvent(components, unlocked, 10);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), stack.alerts());
        assertEquals(stack.backend.lockPath("unlocked/terraform.tfstate"), stack.published.get(0).state().path());
    }

    /** The endpoint down for a while: every event that failed comes back and is recorded; nothing is lost. */
    @Test
    void anOutageOfTheEndpointLosesNothing() throws Exception {
        Stack stack = new Stack();
        try (FaultyEndpoint endpoint = new FaultyEndpoint(MotoServer.endpoint())) {
            Components components = stack.components(endpoint.environment());
            LockInfo lock = stack.backend.lock("down/terraform.tfstate", "OperationTypeApply", "ci@runner");
            stack.backend.putDigest("down/terraform.tfstate", stack.backend.putState("down/terraform.tfstate", state(3)));
            stack.backend.unlock("down/terraform.tfstate", lock.id());
            String written = stack.written("down/terraform.tfstate");
            List<Record> records = stack.pendingStreamRecords();

            endpoint.down = true;
            assertEquals(1, stack.deliverLockEvents(components, records).getBatchItemFailures().size());
            JsonNode failed = stack.deliverStateEvent(components, written, 0);
            assertEquals(1, failed.get("batchItemFailures").size(), failed.toString());
            assertTrue(endpoint.refused.get() > 0);

            endpoint.down = false;
            assertTrue(stack.deliverLockEvents(components, records).getBatchItemFailures().isEmpty());
            stack.clock.advance(Duration.ofSeconds(10));
            assertEquals(0, stack.deliverStateEvent(components, written, 0).get("batchItemFailures").size());
        }
        assertEquals(List.of("DIGEST_UPDATED", "LOCK_ACQUIRED", "LOCK_RELEASED", "STATE_WRITTEN"),
                stack.history("down/terraform.tfstate").stream().sorted().toList());
        assertEquals(List.of(), stack.alerts());
    }

    /** DynamoDB throttling every write for a while: no history line, history item or count is there twice. */
    @Test
    void throttlingDuplicatesNothingOnStdoutInHistoryOrInMetrics() throws Exception {
        Stack stack = new Stack();
        try (FaultyEndpoint endpoint = new FaultyEndpoint(MotoServer.endpoint())) {
            Components components = stack.components(endpoint.environment());
            List<LockInfo> locks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                locks.add(stack.backend.lock("hot-" + i + "/terraform.tfstate", "OperationTypeApply", "ci@runner"));
            }
            List<Record> records = stack.pendingStreamRecords();

            endpoint.throttleDynamoDbWrites = true;
            StreamsEventResponse throttled = stack.deliverLockEvents(components, records);
            assertEquals(1, throttled.getBatchItemFailures().size());
            assertTrue(endpoint.throttled.get() > 0);
            endpoint.throttleDynamoDbWrites = false;
            // Lambda retries the batch from the record it was told, as often as it takes.
            String from = throttled.getBatchItemFailures().get(0).getItemIdentifier();
            List<Record> rest = records.stream().filter(r -> new java.math.BigInteger(r.dynamodb().sequenceNumber())
                    .compareTo(new java.math.BigInteger(from)) >= 0).toList();
            assertTrue(stack.deliverLockEvents(components, rest).getBatchItemFailures().isEmpty());
            assertTrue(stack.deliverLockEvents(components, records).getBatchItemFailures().isEmpty(), "delivered again");
        }
        assertEquals(5, stack.lines.stream().filter(line -> line.startsWith("history LOCK_ACQUIRED")).count(),
                String.join("\n", stack.lines));
        assertEquals(5, stack.lines.stream().distinct().count());
        assertEquals(5, HistoryTable.count(AwsClients.forTools(MotoServer.environment()).dynamoDb(), stack.historyTable));
        int counted = 0;
        for (String line : stack.metrics.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                counted += JSON.readTree(line).path("LocksAcquired").asInt(0);
            }
        }
        assertEquals(5, counted, stack.metrics.toString(StandardCharsets.UTF_8));
    }

    /**
     * An invocation that claimed an alert and crashed before publishing it (its timeout, an SNS call that hung): the
     * retry within the claim fails, so that the event comes back; the one after the claim expired publishes it.
     */
    @Test
    void aCrashBetweenRecordingAndPublishingStillDeliversTheAlertOnce() throws Exception {
        Stack stack = new Stack();
        Components components = stack.components();
        stack.recordALockChange(components);
        stack.backend.putState("crash/terraform.tfstate", state(4));
        String unlocked = stack.written("crash/terraform.tfstate");
        Components crashing = new Components(components.config(), components.history(), components.bookkeeping(),
                components.locks(), components.bucket(), components.lockStream(), components.publisher(),
                alert -> {
                    components.history().claim(alert.toHistoryEvent(), stack.clock.instant(),
                            stack.clock.instant().plus(OnceAlerts.CLAIM));
                    throw new Error("the invocation timed out before publishing");
                }, components.alertText(), components.metrics(), stack.clock, components.rechecks());

        stack.clock.advance(Duration.ofSeconds(5));
        try {
            stack.deliverStateEvent(crashing, unlocked, 0);
        } catch (Error crashed) {
            // the invocation died
        }
        JsonNode retried = stack.deliverStateEvent(components, unlocked, 0);
        assertEquals(1, retried.get("batchItemFailures").size(), "claimed by the crashed invocation: comes back later");
        assertEquals(List.of(), stack.alerts());

        stack.clock.advance(OnceAlerts.CLAIM.plusSeconds(1));
        assertEquals(0, stack.deliverStateEvent(components, unlocked, 0).get("batchItemFailures").size());
        stack.deliverStateEvent(components, unlocked, 1);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), stack.alerts());
    }

    /**
     * A lock released while its stream record was lost (sent to the dead-letter queue after every retry): the
     * sweep records the release and clears the lock's stale-lock alert.
     */
    @Test
    void aLostReleaseClearsItsStaleAlertAtTheNextSweep() throws Exception {
        Stack stack = new Stack();
        Components components = stack.components();
        LockInfo lock = stack.backend.lock("stuck/terraform.tfstate", "OperationTypeApply", "ci@runner",
                Instant.now().minus(Duration.ofHours(2)));
        assertTrue(stack.catchUp(components).getBatchItemFailures().isEmpty());
        StaleLockSweepHandler sweep = new StaleLockSweepHandler(components);
        sweep.sweep("test", context("StaleLockSweepFunction").getLogger());
        assertEquals(List.of(AlertType.STALE_LOCK), stack.alerts());

        stack.backend.unlock("stuck/terraform.tfstate", lock.id());
        List<Record> release = stack.pendingStreamRecords();
        stack.delivered = release.get(release.size() - 1).dynamodb().sequenceNumber();  // lost
        LockInfo later = stack.backend.lock("other/terraform.tfstate", "OperationTypePlan", "ci@runner");
        stack.backend.unlock("other/terraform.tfstate", later.id());
        assertTrue(stack.catchUp(components).getBatchItemFailures().isEmpty());

        stack.clock.advance(Duration.ofMinutes(5));
        sweep.sweep("test", context("StaleLockSweepFunction").getLogger());
        stack.clock.advance(Duration.ofMinutes(5));
        JsonNode summary = sweep.sweep("test", context("StaleLockSweepFunction").getLogger());

        assertEquals(1, summary.get("reconciled").asInt(), summary.toString());
        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK_CLEARED), stack.alerts());
        assertEquals(List.of("LOCK_ACQUIRED", "LOCK_RELEASED", "STALE_LOCK", "STALE_LOCK_CLEARED"),
                stack.history("stuck/terraform.tfstate").stream().sorted().toList());
    }

    /** A zero-byte object and one the auditor may not read are each one line, never a fault to retry. */
    @Test
    void anEmptyObjectAndOneTheAuditorMayNotReadAreRecordedOrSkippedNeverRetried() throws Exception {
        Stack stack = new Stack();
        try (FaultyEndpoint endpoint = new FaultyEndpoint(MotoServer.endpoint())) {
            Components components = stack.components(endpoint.environment());
            stack.backend.putState("empty/terraform.tfstate", "");
            stack.backend.putState("denied/terraform.tfstate", state(1));
            endpoint.denied.add("denied/terraform.tfstate");
            stack.clock.advance(Duration.ofSeconds(5));

            JsonNode empty = stack.deliverStateEvent(components, stack.written("empty/terraform.tfstate"), 0);
            JsonNode denied = stack.deliverStateEvent(components, stack.written("denied/terraform.tfstate"), 0);

            assertEquals(0, empty.get("batchItemFailures").size(), empty.toString());
            assertEquals(0, denied.get("batchItemFailures").size(), denied.toString());
        }
        assertEquals(List.of(), stack.history("empty/terraform.tfstate"), "not a state: skipped with the reason");
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> denied = HistoryTable.read(
                AwsClients.forTools(MotoServer.environment()).dynamoDb(), stack.historyTable,
                stack.backend.lockPath("denied/terraform.tfstate"));
        assertEquals("STATE_WRITTEN", denied.get(0).get("event").s());
        assertFalse(denied.get(0).get("headerReadable").bool());
        assertTrue(denied.get(0).get("encryption").s().startsWith("access denied"), denied.get(0).toString());
    }
}

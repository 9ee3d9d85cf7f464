package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoProxy;
import dev.lockauditor.testsupport.MotoServer;
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
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.LambdaStreamEvents;
import dev.lockauditor.runtime.LocalContext;
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
        FunctionsOnMoto stack = new FunctionsOnMoto();
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
        FunctionsOnMoto stack = new FunctionsOnMoto();
        try (MotoProxy endpoint = new MotoProxy(MotoServer.endpoint())) {
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
        FunctionsOnMoto stack = new FunctionsOnMoto();
        try (MotoProxy endpoint = new MotoProxy(MotoServer.endpoint())) {
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
        FunctionsOnMoto stack = new FunctionsOnMoto();
        Components components = stack.components();
        stack.recordALockChange(components);
        stack.backend.putState("crash/terraform.tfstate", state(4));
        String unlocked = stack.written("crash/terraform.tfstate");
        // The alert is claimed through the real claims, then the invocation dies in the publisher.
        Components crashing = new Components(components.config(), components.backend(), components.stores(),
                alert -> {
                    throw new Error("the invocation timed out before publishing");
                }, components.metrics(), stack.clock, components.rechecks());

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
        FunctionsOnMoto stack = new FunctionsOnMoto();
        Components components = stack.components();
        LockInfo lock = stack.backend.lock("stuck/terraform.tfstate", "OperationTypeApply", "ci@runner",
                Instant.now().minus(Duration.ofHours(2)));
        assertTrue(stack.catchUp(components).getBatchItemFailures().isEmpty());
        StaleLockSweepHandler sweep = new StaleLockSweepHandler(components);
        sweep.sweep("test", FunctionsOnMoto.context("StaleLockSweepFunction").getLogger());
        assertEquals(List.of(AlertType.STALE_LOCK), stack.alerts());

        stack.backend.unlock("stuck/terraform.tfstate", lock.id());
        List<Record> release = stack.pendingStreamRecords();
        stack.delivered = release.get(release.size() - 1).dynamodb().sequenceNumber();  // lost
        LockInfo later = stack.backend.lock("other/terraform.tfstate", "OperationTypePlan", "ci@runner");
        stack.backend.unlock("other/terraform.tfstate", later.id());
        assertTrue(stack.catchUp(components).getBatchItemFailures().isEmpty());

        stack.clock.advance(Duration.ofMinutes(5));
        sweep.sweep("test", FunctionsOnMoto.context("StaleLockSweepFunction").getLogger());
        stack.clock.advance(Duration.ofMinutes(5));
        JsonNode summary = sweep.sweep("test", FunctionsOnMoto.context("StaleLockSweepFunction").getLogger());

        assertEquals(1, summary.get("reconciled").asInt(), summary.toString());
        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK_CLEARED), stack.alerts());
        assertEquals(List.of("LOCK_ACQUIRED", "LOCK_RELEASED", "STALE_LOCK", "STALE_LOCK_CLEARED"),
                stack.history("stuck/terraform.tfstate").stream().sorted().toList());
    }

    /** A zero-byte object and one the auditor may not read are each one line, never a fault to retry. */
    @Test
    void anEmptyObjectAndOneTheAuditorMayNotReadAreRecordedOrSkippedNeverRetried() throws Exception {
        FunctionsOnMoto stack = new FunctionsOnMoto();
        try (MotoProxy endpoint = new MotoProxy(MotoServer.endpoint())) {
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
        assertEquals(List.of("STATE_WRITTEN", "STATE_UNREADABLE", "UNLOCKED_WRITE"), stack.history("empty/terraform.tfstate"),
                "zero bytes at a state's key: Terraform reads it as no state at all; recorded and alerted, never retried");
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> denied = HistoryTable.read(
                AwsClients.forTools(MotoServer.environment()).dynamoDb(), stack.historyTable,
                stack.backend.lockPath("denied/terraform.tfstate"));
        assertEquals("STATE_WRITTEN", denied.get(0).get("event").s());
        assertFalse(denied.get(0).get("headerReadable").bool());
        assertTrue(denied.get(0).get("whyUnreadable").s().startsWith("access denied"), denied.get(0).toString());
    }
}

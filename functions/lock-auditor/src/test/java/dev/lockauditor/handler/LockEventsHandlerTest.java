package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.metrics.Metrics;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** The handler driven by the repository's sample events, loaded the way the Lambda runtime loads them. */
@EnabledIf("samplesPresent")
class LockEventsHandlerTest {

    static boolean samplesPresent() {
        return LockEventsHandlerTest.class.getResource("/events/lock-acquired.json") != null;
    }

    final TestComponents test = new TestComponents();
    final TestContext context = new TestContext();
    List<HistoryEvent> written = List.of();

    StreamsEventResponse handle(String... eventFiles) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(Stream.of(eventFiles)
                .flatMap(file -> EventLoader.loadDynamoDbEvent("events/" + file).getRecords().stream())
                .toList());
        StreamsEventResponse response = new LockEventsHandler(test.components()).handleRequest(event, context);
        written = test.history.all().stream().filter(e -> e.type() instanceof EventType).toList();
        return response;
    }

    @Test
    void aLockTakenInTheDefaultWorkspaceIsRecorded() {
        StreamsEventResponse response = handle("lock-acquired.json");

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(1, written.size());
        HistoryEvent event = written.get(0);
        assertEquals(EventType.LOCK_ACQUIRED, event.type());
        assertEquals("acme-tfstate/network/terraform.tfstate", event.state().path());
        assertEquals("default", event.state().workspace());
        assertEquals("ci@runner-7f9c", event.fields().get("who"));
        assertEquals("OperationTypeApply", event.fields().get("operation"));
        assertEquals("1.11.2", event.fields().get("version"));
        assertEquals("2025-03-14T09:26:53.589793238Z", event.fields().get("created"));
        assertEquals("1c9a3f5e7b2d4c6a8e0f1a3b5c7d9e2f", event.sourceId());
        assertEquals("100000000000000000001", event.position());
        assertEquals("2025-03-14T09:26:54Z", event.at().toString());
    }

    @Test
    void aLockTakenInAWorkspaceNamesTheWorkspace() {
        handle("lock-acquired-workspace.json");

        assertEquals("staging", written.get(0).state().workspace());
        assertEquals("env:/staging/network/terraform.tfstate", written.get(0).state().key());
        assertEquals("OperationTypePlan", written.get(0).fields().get("operation"));
    }

    @Test
    void aLockReleasedSaysHowLongItWasHeld() {
        handle("lock-released.json");

        assertEquals(EventType.LOCK_RELEASED, written.get(0).type());
        assertEquals(287L, written.get(0).fields().get("heldForSeconds"));
    }

    @Test
    void aDigestUpdatedKeepsTheOldAndNewDigest() {
        handle("digest-updated.json");

        assertEquals(EventType.DIGEST_UPDATED, written.get(0).type());
        assertEquals("ad37533d627aecda1ac35c00e2ee3a7f", written.get(0).fields().get("digest"));
        assertEquals("8b1a9953c4611296a827abf8c47804d7", written.get(0).fields().get("previousDigest"));
    }

    @Test
    void foreignAndMalformedItemsAreLoggedOnceEachAndNeverFailTheBatch() {
        StreamsEventResponse response = handle("foreign-item.json");

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertTrue(written.isEmpty());
        assertEquals(List.of(
                "WARN skipped stream record 5a3e7b9c1f6b8a0e2c4d5e7f9a1b3c6d: neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)",
                "WARN skipped stream record 6b4f8c0d2a7c9b1f3d5e6f8a0b2c4d7e: Info is of type N, not a string",
                "WARN skipped stream record 7c5a9d1e3b8d0c2a4e6f7a9b1c3d5e8f: lock info is not valid JSON"),
                context.lines);
        assertFalse(String.join("\n", context.lines).contains("locked by hand"), "the item's content is not logged");
    }

    @Test
    void aFailedHistoryWriteReportsTheFirstRecordWhoseEventsAreMissing() {
        test.history.failFrom = 1;

        StreamsEventResponse response = handle("lock-acquired.json", "digest-updated.json", "lock-released.json",
                "foreign-item.json");

        assertEquals(1, response.getBatchItemFailures().size());
        assertEquals("100000000000000000002", response.getBatchItemFailures().get(0).getItemIdentifier());
        assertTrue(context.lines.stream().anyMatch(line -> line.startsWith(
                "ERROR stream record 3e1c5f7a9d4f6e8c0a2b3c5d7e9f1a4b failed; retrying from it")), context.lines::toString);
    }

    @Test
    void aBatchMovesTheLockStreamWatermarkToItsLastRecordAndNeverPastAFailedOne() {
        test.history.failFrom = 1;
        handle("lock-acquired.json", "digest-updated.json", "lock-released.json", "foreign-item.json");
        assertEquals(new Bookkeeping.StreamPosition(java.time.Instant.ofEpochSecond(1741944414), "100000000000000000001"),
                test.bookkeeping.lockStreamRecorded().orElseThrow(), "recorded up to the record before the failed one");

        test.history.failFrom = -1;
        handle("digest-updated.json", "lock-released.json");
        assertEquals(new Bookkeeping.StreamPosition(java.time.Instant.ofEpochSecond(1741944701), "100000000000000000003"),
                test.bookkeeping.lockStreamRecorded().orElseThrow());
    }

    @Test
    void theLocksHeldAreKeptFromTheirEventsForTheSweep() {
        handle("lock-acquired.json");
        assertEquals(List.of("DYNAMODB acme-tfstate/network/terraform.tfstate"), test.bookkeeping.heldLocks().stream()
                .map(lock -> lock.kind() + " " + lock.state().path()).toList());

        handle("lock-released.json");
        assertEquals(List.of(), test.bookkeeping.heldLocks());
    }

    @Test
    void aRecordDeliveredAgainIsCountedOnce() throws Exception {
        handle("lock-acquired.json");
        handle("lock-acquired.json");

        String[] lines = test.metrics().strip().split("\n");
        assertEquals(1, lines.length, "the second delivery recorded nothing new, so counted nothing: " + test.metrics());
        assertEquals(1, new ObjectMapper().readTree(lines[0]).get("LocksAcquired").asInt());
    }

    @Test
    void metricsAreOneEmbeddedMetricFormatLinePerInvocation() throws Exception {
        handle("lock-acquired.json", "digest-updated.json", "lock-released.json", "foreign-item.json");

        String[] lines = test.metrics().strip().split("\n");
        assertEquals(1, lines.length);
        JsonNode emf = new ObjectMapper().readTree(lines[0]);
        assertEquals(Metrics.NAMESPACE, emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
        assertEquals("Environment", emf.at("/_aws/CloudWatchMetrics/0/Dimensions/0/0").asText());
        assertEquals("test", emf.get("Environment").asText());
        assertEquals(1, emf.get("LocksAcquired").asInt());
        assertEquals(1, emf.get("LocksReleased").asInt());
        assertEquals(287, emf.get("LockHeldSeconds").asInt());
        assertEquals(1, emf.get("DigestsUpdated").asInt());
        assertEquals(3, emf.get("RecordsSkipped").asInt());
    }

    @Test
    void primingRunsTheRecordPathAndWritesNothing() {
        new LockEventsHandler(test.components()).beforeCheckpoint(null);

        assertTrue(test.history.all().isEmpty());
        assertEquals("", test.metrics());
        assertTrue(test.published.isEmpty());
    }

    @Test
    void aChangedDigestIsCheckedAgainstTheStateObject() {
        test.backend.put("network/terraform.tfstate", "{\"version\":4,\"serial\":1,\"lineage\":\"x\"}\n",
                Instant.parse("2025-03-14T09:31:39Z"));
        test.backend.digests.put("acme-tfstate/network/terraform.tfstate", "ad37533d627aecda1ac35c00e2ee3a7f");

        StreamsEventResponse response = handle("digest-updated.json");

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(List.of(AlertType.DIGEST_MISMATCH), test.published.stream().map(Alert::type).toList());
        assertEquals("ad37533d627aecda1ac35c00e2ee3a7f", test.published.get(0).facts().get("expectedDigest"));
    }

    @Test
    void aDigestMatchingItsStateRaisesNothing() {
        String body = "{\"version\":4,\"serial\":1,\"lineage\":\"x\"}\n";
        test.backend.put("network/terraform.tfstate", body, Instant.parse("2025-03-14T09:31:39Z"));
        test.backend.digests.put("acme-tfstate/network/terraform.tfstate", InMemoryBackend.md5(body));

        handle("digest-updated.json");

        assertTrue(test.published.isEmpty());
    }
}

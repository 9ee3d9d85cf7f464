package dev.lockauditor.handler;

import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.terraform.LockInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.audit.StateFixtures;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The handler driven by the repository's sample events. It is a stream handler: the Lambda runtime hands it
 * the event's bytes exactly as they are in the files.
 */
@EnabledIf("samplesPresent")
class StateEventsHandlerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "env:/staging/network/terraform.tfstate";
    static final String SPACED_KEY = "env:/team a/network/terraform.tfstate";

    static boolean samplesPresent() {
        return StateEventsHandlerTest.class.getResource("/events/s3-state-written.json") != null;
    }

    final TestComponents test = new TestComponents();
    final TestContext context = new TestContext();

    static byte[] sample(String file) throws IOException {
        try (InputStream in = StateEventsHandlerTest.class.getResourceAsStream("/events/" + file)) {
            return in.readAllBytes();
        }
    }

    JsonNode handle(byte[] event) throws IOException {
        return SqsDelivery.invoke(new StateEventsHandler(test.components()), event, context);
    }

    List<HistoryEvent> history(String key) {
        return test.history.history("acme-tfstate/" + key);
    }

    void lockedState(String key, long serial) {
        String body = StateFixtures.terraformState(serial, StateFixtures.LINEAGE);
        var object = test.backend.put(key, body, Instant.parse("2025-03-14T09:31:40Z"));
        test.backend.versions.put("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", object);
        test.backend.locks.put("acme-tfstate/" + key, new dev.lockauditor.terraform.LockInfo(
                "9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "", "ci@runner-7f9c", "1.11.2",
                "2025-03-14T09:26:53.589793238Z", "acme-tfstate/" + key));
    }

    @Test
    void anEventBridgeObjectCreatedEventIsAStateWritten() throws Exception {
        lockedState(KEY, 7);

        JsonNode response = handle(sample("s3-state-written.json"));

        assertEquals(1, response.get("recorded").asInt());
        HistoryEvent written = history(KEY).get(0);
        assertEquals(EventType.STATE_WRITTEN, written.type());
        assertEquals("staging", written.state().workspace());
        assertEquals("123456789012", written.fields().get("writer"), "EventBridge names the account, not the principal");
        assertEquals("203.0.113.15", written.fields().get("sourceIp"));
        assertEquals("PutObject", written.fields().get("reason"));
        assertEquals(18342L, written.fields().get("size"));
        assertEquals("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", written.fields().get("versionId"));
        assertEquals("17793124-05d4-b198-2fde-7ededc63b103", written.sourceId());
        assertEquals(7L, written.fields().get("serial"));
        assertTrue(test.published.isEmpty());
    }

    @Test
    void aClassicNotificationsUrlEncodedKeyIsDecodedWithPlusForSpace() throws Exception {
        lockedState(SPACED_KEY, 3);

        handle(sample("s3-notification-state-written.json"));

        HistoryEvent written = history(SPACED_KEY).get(0);
        assertEquals("acme-tfstate/" + SPACED_KEY, written.state().path());
        assertEquals("team a", written.state().workspace());
        assertEquals("AWS:AIDAJDPLRKLG7UEXAMPLE", written.fields().get("writer"));
        assertEquals("Put", written.fields().get("reason"));
        assertEquals("2025-03-14T09:31:40.512Z", written.at().toString());
    }

    @Test
    void theS3TestEventIsIgnored() throws Exception {
        JsonNode response = handle(sample("s3-notification-test-event.json"));

        assertEquals(0, response.get("recorded").asInt());
        assertEquals(0, response.get("skipped").asInt());
        assertTrue(context.lines.isEmpty(), context.lines.toString());
    }

    @Test
    void throughSqsEachMessageIsAnEventAndAFailedOneIsReportedForRetry() throws Exception {
        lockedState(SPACED_KEY, 3);

        JsonNode ok = handle(sample("sqs-s3-notification.json"));
        assertEquals(0, ok.get("batchItemFailures").size());
        assertEquals(1, history(SPACED_KEY).size());

        test.history.failFrom = 0;
        JsonNode failed = handle(sample("sqs-s3-notification.json"));
        assertEquals("059f36b4-87a3-44ab-83d2-661975830a7d", failed.at("/batchItemFailures/0/itemIdentifier").asText());
    }

    @Test
    void aDeleteMarkerIsAStateDeletedAlert() throws Exception {
        test.time.advance(java.time.Duration.ofHours(2));
        JsonNode response = handle(sample("s3-state-deleted.json"));

        assertEquals(1, response.get("recorded").asInt());
        assertEquals(EventType.STATE_DELETED, history(KEY).get(0).type());
        assertEquals(List.of(AlertType.STATE_DELETED), test.published.stream().map(Alert::type).toList());
        assertEquals("123456789012", test.published.get(0).facts().get("writer"));
        assertEquals(true, test.published.get(0).facts().get("deleteMarker"));
        assertEquals("State acme-tfstate/" + KEY + " was deleted by a principal of account 123456789012 (which one is "
                + "unknown) from 203.0.113.15", test.published.get(0).summary());
    }

    @Test
    void copiesAndMultipartUploadsAreStatesWrittenWithTheirReason() throws Exception {
        lockedState(KEY, 7);
        var object = test.backend.objects.get(KEY);
        test.backend.versions.put("b7Fq2LmN9xRtY4uV8wZ1aC3dE5gH6jK0", object);
        test.backend.versions.put("Xy7pQ2rS5tU8vW1zA4bC6dE9fG0hJ3kL", object);

        handle(sample("s3-state-copied.json"));
        handle(sample("s3-state-multipart.json"));

        List<HistoryEvent> events = history(KEY).stream().filter(e -> e.type() == EventType.STATE_WRITTEN).toList();
        assertEquals(List.of("CopyObject", "CompleteMultipartUpload"),
                events.stream().map(e -> e.fields().get("reason")).toList());
        assertEquals("8f1c0a3e5b7d9f2a4c6e8b0d1f3a5c7e-2", events.get(1).fields().get("etag"));
        assertEquals(7340032L, events.get(1).fields().get("size"));
    }

    @Test
    void everyKindOfDeletionIsAStateDeletedAndSaysOnlyWhatTheEventKnows() throws Exception {
        test.time.advance(java.time.Duration.ofDays(2));
        handle(sample("s3-state-deleted-permanently.json"));
        handle(sample("s3-state-deleted-no-deletion-type.json"));
        handle(sample("s3-state-expired.json"));

        assertEquals(List.of(false, false, true),
                test.published.stream().map(a -> a.facts().get("deleteMarker")).toList());
        assertEquals(List.of(AlertType.STATE_DELETED, AlertType.STATE_DELETED, AlertType.STATE_DELETED),
                test.published.stream().map(Alert::type).toList());
        assertEquals("State acme-tfstate/env:/sandbox/network/terraform.tfstate was deleted by the AWS service "
                + "s3.amazonaws.com", test.published.get(2).summary());
        assertEquals("Lifecycle Expiration", history("env:/sandbox/network/terraform.tfstate").get(0).fields().get("reason"));
    }

    @Test
    void anEventBridgeEventDeliveredThroughTheStacksQueueIsAudited() throws Exception {
        lockedState(KEY, 7);

        JsonNode response = handle(sample("sqs-s3-eventbridge.json"));

        assertEquals(0, response.get("batchItemFailures").size());
        assertEquals(List.of(EventType.STATE_WRITTEN), history(KEY).stream().map(HistoryEvent::type).toList());
    }

    @Test
    void lockFilesAreLocksInTheSameHistory() throws Exception {
        String info = new dev.lockauditor.terraform.LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "",
                "ci@runner-7f9c", "1.11.2", "2025-03-14T09:26:53.589793238Z", "acme-tfstate/" + KEY).toJson();
        var object = test.backend.put(KEY + ".tflock", info, Instant.parse("2025-03-14T09:26:53Z"));
        test.backend.versions.put("Wq8rBZLyYpCQhrfX8DHbD9nTtmL0pJeE", object);

        handle(sample("s3-lock-file-created.json"));
        test.backend.objects.remove(KEY + ".tflock");
        handle(sample("s3-lock-file-deleted.json"));

        List<HistoryEvent> events = history(KEY);
        assertEquals(List.of(EventType.LOCK_ACQUIRED, EventType.LOCK_RELEASED), events.stream().map(HistoryEvent::type).toList());
        assertEquals("s3", events.get(0).source().label());
        assertEquals("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", events.get(1).fields().get("lockId"));
        assertEquals(287L, events.get(1).fields().get("heldForSeconds"));
    }

    @Test
    void eventsForOneKeyAreHandledInSequencerOrderAndEachOnce() throws Exception {
        lockedState(SPACED_KEY, 3);
        ObjectNode notification = (ObjectNode) JSON.readTree(sample("s3-notification-state-written.json"));
        ArrayNode records = (ArrayNode) notification.get("Records");
        ObjectNode earlier = records.get(0).deepCopy();
        ((ObjectNode) earlier.at("/s3/object")).put("sequencer", "0062E99A88DC40745F");
        earlier.put("eventTime", "2025-03-14T09:31:40.100Z");
        records.add(earlier);
        records.add(records.get(0).deepCopy());

        JsonNode response = handle(JSON.writeValueAsBytes(notification));

        assertEquals(2, response.get("recorded").asInt());
        List<HistoryEvent> events = history(SPACED_KEY);
        assertEquals(2, events.size());
        assertEquals(List.of("0062E99A88DC40745F", "0062E99A88DC407460"),
                events.stream().map(e -> e.fields().get("sequencer")).toList());
    }

    @Test
    void eventsOfOtherBucketsAndOtherSourcesAreSkippedWithTheReason() throws Exception {
        ObjectNode other = (ObjectNode) JSON.readTree(sample("s3-state-written.json"));
        ((ObjectNode) other.at("/detail/bucket")).put("name", "someone-elses-bucket");

        JsonNode otherBucket = handle(JSON.writeValueAsBytes(other));
        JsonNode notS3 = handle(sample("lock-acquired.json"));

        assertEquals(1, otherBucket.get("skipped").asInt());
        assertEquals(0, notS3.get("recorded").asInt());
        assertTrue(context.lines.get(0).contains("bucket someone-elses-bucket is not the state bucket acme-tfstate"),
                context.lines.toString());
        assertTrue(context.lines.get(1).contains("skipped event: a record from aws:dynamodb, not aws:s3"),
                context.lines.toString());
        assertTrue(test.history.all().isEmpty());
    }

    @Test
    void primingRunsTheEventPathAndWritesNothing() {
        new StateEventsHandler(test.components()).beforeCheckpoint(null);

        assertTrue(test.history.all().isEmpty());
        assertTrue(test.published.isEmpty());
        assertEquals("", test.metrics());
    }

    @Test
    void anUncoveredWriteThroughTheQueueComesBackOnceTheLockEventsHadTheirLagAndIsAlertedThenCountedOnce()
            throws Exception {
        String body = StateFixtures.terraformState(8, StateFixtures.LINEAGE);
        var object = test.backend.put(KEY, body, test.time.instant());
        test.backend.digests.put("acme-tfstate/" + KEY, dev.lockauditor.backend.InMemoryBackend.md5(body));
        ObjectNode written = (ObjectNode) JSON.readTree(sample("s3-state-written.json"));
        ((ObjectNode) written.at("/detail/object")).put("version-id", object.versionId());
        written.put("time", test.time.instant().toString());
        ObjectNode message = (ObjectNode) JSON.readTree(sample("sqs-s3-eventbridge.json"));
        ((ObjectNode) message.at("/Records/0")).put("body", written.toString());

        JsonNode first = handle(JSON.writeValueAsBytes(message));

        assertEquals(0, first.get("batchItemFailures").size());
        assertTrue(test.published.isEmpty(), "not before the lock's events had their lag");
        assertEquals(1, test.rechecks.size());
        TestComponents.Recheck recheck = test.rechecks.get(0);
        assertEquals(test.time.instant().plusSeconds(60), recheck.at());
        assertEquals(1, recheck.attempt());
        assertEquals(written.toString(), recheck.document());

        test.time.advance(java.time.Duration.ofSeconds(60));
        ObjectNode again = message.deepCopy();
        ((ObjectNode) again.at("/Records/0")).put("body", recheck.document()).putObject("messageAttributes")
                .putObject("lockAuditorRecheck").put("stringValue", "1").put("dataType", "Number");
        JsonNode second = handle(JSON.writeValueAsBytes(again));

        assertEquals(0, second.get("batchItemFailures").size());
        assertEquals(List.of(AlertType.UNLOCKED_WRITE), test.published.stream().map(Alert::type).toList());
        assertEquals(1, test.rechecks.size(), "decided: not brought back again");
        assertEquals(1, history(KEY).stream().filter(e -> e.type() == EventType.STATE_WRITTEN).count());
        assertEquals(1, test.metrics().split("\"StatesWritten\":1", -1).length - 1, "counted the first time only");
    }
}

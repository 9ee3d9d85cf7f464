package dev.lockauditor.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryEventTest {

    static final StatePath STATE = new StatePath("b/k", "b", "k", "default");

    static HistoryEvent event(Instant at, String position, int part) {
        return new HistoryEvent(STATE, at, Source.DYNAMODB, "id", position, Integer.toString(part),
                new Facts.DigestRemoved("ad37533d627aecda1ac35c00e2ee3a7f"));
    }

    @Test
    void theKeyIsTimeThenSourceThenPaddedPositionThenPart() {
        assertEquals("2025-03-14T09:26:54.000Z#dynamodb#0000000000000000000100000000000000000001#1",
                event(Instant.parse("2025-03-14T09:26:54Z"), "100000000000000000001", 1).eventKey());
    }

    @Test
    void keysSortInTimeThenStreamOrder() {
        Instant t = Instant.parse("2025-03-14T09:26:54Z");
        List<String> inOrder = List.of(
                event(t, "99", 0).eventKey(),
                event(t, "100", 0).eventKey(),
                event(t, "100", 1).eventKey(),
                event(t.plusMillis(1), "5", 0).eventKey());

        assertEquals(inOrder, inOrder.stream().sorted().toList());
    }

    @Test
    void theSameSourceEventAlwaysHasTheSameKey() {
        Instant t = Instant.parse("2025-03-14T09:26:54Z");
        assertEquals(event(t, "7", 0).eventKey(), event(t, "7", 0).eventKey());
        assertNotEquals(event(t, "7", 0).eventKey(), event(t, "8", 0).eventKey());
    }

    @Test
    void fieldsNameTheStateTheSourceAndTheFactsInOrder() {
        Facts.Lock lock = new Facts.Lock("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "ci@runner",
                "1.11.2", Instant.parse("2025-03-14T09:26:42.5Z"), "");
        HistoryEvent event = new HistoryEvent(STATE, Instant.parse("2025-03-14T09:26:54Z"), Source.DYNAMODB, "ev", "7",
                "0", new Facts.LockReleased(lock, 12L, null));

        assertEquals(List.of("statePath", "eventKey", "event", "at", "bucket", "key", "workspace", "source",
                "sourceEventId", "sourcePosition", "lockId", "operation", "who", "version", "created", "heldForSeconds"),
                List.copyOf(event.fields().keySet()), "nothing unknown is stored, not even an empty text");
        assertEquals("LOCK_RELEASED", event.fields().get("event"));
        assertEquals("dynamodb", event.fields().get("source"));
        assertEquals(12L, event.fields().get("heldForSeconds"));
        assertEquals("2025-03-14T09:26:42.500Z", event.fields().get("created"));
    }

    @Test
    void everyKindOfEntryReadsBackAsItWasWritten() {
        Facts.Lock lock = new Facts.Lock("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "state-push", "@host-1", "1.10.0",
                Instant.parse("2025-03-14T09:26:42Z"), "");
        Facts.ObjectFacts object = new Facts.ObjectFacts(18342L, "ad37533d627aecda1ac35c00e2ee3a7f", "v1", "0062E9",
                "123456789012", "203.0.113.15", "PutObject");
        List<Facts> all = List.of(
                new Facts.LockAcquired(lock, "v0"),
                new Facts.LockReleased(lock, 30L, null),
                new Facts.LockReleased(null, null, "v2"),
                new Facts.StateWritten(object, new Facts.Header(4L, "1.11.2", 7, "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13"), null),
                new Facts.StateWritten(object, null, "OpenTofu state encryption"),
                new Facts.StateDeleted(Facts.ObjectFacts.NONE, true),
                new Facts.DigestUpdated("ad37533d627aecda1ac35c00e2ee3a7f", "8b1a9953c4611296a827abf8c47804d7"),
                new Facts.DigestRemoved("ad37533d627aecda1ac35c00e2ee3a7f"));
        for (Facts facts : all) {
            HistoryEvent event = new HistoryEvent(STATE, Instant.parse("2025-03-14T09:26:54.123Z"), Source.STATE_OBJECT,
                    "ev", "0062E9", "0", facts);

            assertEquals(event, HistoryEvent.fromFields(event.fields()), facts.toString());
        }
        Facts.AlertRaised alert = new Facts.AlertRaised("STALE_LOCK", "WARNING", lock.id(), "@host-1", "state-push",
                Map.of("heldForSeconds", 7200L, "reminder", false), Instant.parse("2025-03-14T11:30:00.412Z"), "Stale lock");
        HistoryEvent raised = new HistoryEvent(STATE, Instant.parse("2025-03-14T09:26:42Z"), Source.LOCK, "sweep",
                lock.id(), "STALE_LOCK", alert);
        HistoryEvent back = HistoryEvent.fromFields(raised.fields());
        assertEquals("STALE_LOCK", back.type().name());
        assertEquals(alert, back.facts());
    }

    @Test
    void entriesWrittenByEarlierVersionsReadBack() {
        Map<String, Object> stored = new java.util.LinkedHashMap<>();
        stored.put("statePath", "b/k");
        stored.put("eventKey", "2025-03-14T10:02:12.000Z#dynamodb#0000000000000000000000000000000000000011#0");
        stored.put("event", "LOCK_ACQUIRED");
        stored.put("bucket", "b");
        stored.put("key", "k");
        stored.put("workspace", "default");
        stored.put("source", "dynamodb");
        stored.put("sourcePosition", "11");
        stored.put("lockId", "3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583");
        stored.put("who", "alice@laptop-alice");
        stored.put("created", "2025-03-14T10:02:11.20417Z");
        stored.put("expiresAt", 1749722532L);

        HistoryEvent event = HistoryEvent.fromFields(stored);

        Facts.LockAcquired acquired = (Facts.LockAcquired) event.facts();
        assertEquals(Instant.parse("2025-03-14T10:02:11.204170Z"), acquired.lock().created(), "Created as Terraform wrote it");
        assertEquals("alice@laptop-alice", acquired.lock().who());
        assertEquals(null, acquired.lock().operation());
        assertEquals(Instant.parse("2025-03-14T10:02:12Z"), event.at());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2025-03-14T09:26:54Z", "2025-03-14T09:26:54.001Z",
            "2025-12-31T23:59:59.999999999Z", "2000-01-01T00:00:00.5Z", "1999-02-28T01:02:03.040Z"})
    void timesAreWrittenExactlyAsTheFormatterWrites(String instant) {
        Instant at = Instant.parse(instant);
        assertEquals(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(at), HistoryEvent.time(at));
    }
}

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
        return new HistoryEvent(STATE, EventType.LOCK_ACQUIRED, at, Source.DYNAMODB, "id", position, Integer.toString(part), Map.of());
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
        HistoryEvent event = new HistoryEvent(STATE, EventType.LOCK_RELEASED, Instant.parse("2025-03-14T09:26:54Z"),
                Source.DYNAMODB, "ev", "7", "0", Map.of("heldForSeconds", 12L));

        assertEquals(List.of("statePath", "eventKey", "event", "at", "bucket", "key", "workspace", "source",
                "sourceEventId", "sourcePosition", "heldForSeconds"), List.copyOf(event.fields().keySet()));
        assertEquals("LOCK_RELEASED", event.fields().get("event"));
        assertEquals("dynamodb", event.fields().get("source"));
        assertEquals(12L, event.fields().get("heldForSeconds"));
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

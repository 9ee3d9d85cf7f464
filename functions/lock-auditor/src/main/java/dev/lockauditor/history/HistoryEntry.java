package dev.lockauditor.history;

import java.time.Instant;
import java.util.Map;

/** An entry read back from history: its fields as stored (strings, longs and booleans). */
public record HistoryEntry(Map<String, Object> fields) {

    public String event() {
        return string("event");
    }

    public String eventKey() {
        return string("eventKey");
    }

    public Instant at() {
        return HistoryEvent.timeOfEventKey(eventKey());
    }

    public String source() {
        return string("source");
    }

    /** A text field, or null. */
    public String string(String name) {
        Object value = fields.get(name);
        return value == null ? null : value.toString();
    }

    /** A number field, or null. */
    public Long number(String name) {
        return fields.get(name) instanceof Number number ? number.longValue() : null;
    }
}

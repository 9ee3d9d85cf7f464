package dev.lockauditor.history;

import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One entry of a state's history.
 *
 * <p>Its identity ({@link #eventKey()}) is derived from the source event only, so the same source
 * event always yields the same entry: written twice, it is still one entry.
 *
 * @param state      the state it concerns
 * @param type       what happened
 * @param at         when it happened, as the source reports it
 * @param source     where it came from
 * @param sourceId   the source event's id (a stream record's {@code eventID})
 * @param position   the source event's position, for ordering and identity (a stream record's sequence number)
 * @param part       which of the entries derived from one source event this is: {@code 0}, {@code 1}, ... for
 *                   events, the alert type for an alert
 * @param facts      what is known about it, in a fixed order; values are strings, numbers or booleans
 */
public record HistoryEvent(StatePath state, HistoryKind type, Instant at, Source source, String sourceId,
                           String position, String part, Map<String, Object> facts) {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int POSITION_WIDTH = 40;

    public HistoryEvent {
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        position = position == null ? "" : position;
    }

    /**
     * The sort key within a state's history: time first, so that one query reads it in order, then the
     * source and its position, so that events in the same millisecond keep their source's order.
     */
    public static String eventKey(Instant at, Source source, String position, String part) {
        return key(time(at), source, position, part);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ}: sorts as the time does. */
    static String time(Instant at) {
        return TIME.format(at);
    }

    private static String key(String time, Source source, String position, String part) {
        String paddedPosition = position.length() >= POSITION_WIDTH
                ? position : "0".repeat(POSITION_WIDTH - position.length()) + position;
        return time + "#" + source.label() + "#" + paddedPosition + "#" + part;
    }

    /** The key of the first entry at or after {@code at}, for reading history from a point in time. */
    public static String eventKeyAt(Instant at) {
        return time(at);
    }

    /** When an entry with this key happened. */
    public static Instant timeOfEventKey(String eventKey) {
        return Instant.parse(eventKey.substring(0, eventKey.indexOf('#')));
    }

    public String eventKey() {
        return eventKey(at, source, position, part);
    }

    /** Every field of the entry, named as it is stored and printed, in a fixed order. */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>(32);
        forEachField(fields::put);
        return fields;
    }

    /** Hands each field of the entry, in order, to {@code field}: {@link #fields()} without the map. */
    public void forEachField(BiConsumer<String, Object> field) {
        String time = time(at);
        field.accept("statePath", state.path());
        field.accept("eventKey", key(time, source, position, part));
        field.accept("event", type.name());
        field.accept("at", time);
        field.accept("bucket", state.bucket());
        field.accept("key", state.key());
        field.accept("workspace", state.workspace());
        field.accept("source", source.label());
        if (sourceId != null) {
            field.accept("sourceEventId", sourceId);
        }
        field.accept("sourcePosition", position);
        facts.forEach((name, value) -> {
            if (value != null) {
                field.accept(name, value);
            }
        });
    }
}

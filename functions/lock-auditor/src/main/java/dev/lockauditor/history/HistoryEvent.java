package dev.lockauditor.history;

import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One entry of a state's history.
 *
 * <p>Its identity ({@link #eventKey()}) is derived from the source event only, so the same source
 * event always yields the same entry: written twice, it is still one entry.
 *
 * @param state    the state it concerns
 * @param at       when it happened, as the source reports it
 * @param source   where it came from
 * @param sourceId the source event's id (a stream record's {@code eventID})
 * @param position the source event's position, for ordering and identity (a stream record's sequence number)
 * @param part     which of the entries derived from one source event this is: {@code 0}, {@code 1}, ... for
 *                 events, the alert type for an alert
 * @param facts    what it says, typed by its kind
 */
public record HistoryEvent(StatePath state, Instant at, Source source, String sourceId, String position, String part,
                           Facts facts, Facts.Caller caller) {

    /** An entry whose caller is not known (yet). */
    public HistoryEvent(StatePath state, Instant at, Source source, String sourceId, String position, String part,
                        Facts facts) {
        this(state, at, source, sourceId, position, part, facts, null);
    }

    /** The same entry, its request's caller known. */
    public HistoryEvent withCaller(Facts.Caller known) {
        return new HistoryEvent(state, at, source, sourceId, position, part, facts, known);
    }

    /** The same entry saying other facts. */
    public HistoryEvent withFacts(Facts other) {
        return new HistoryEvent(state, at, source, sourceId, position, part, other, caller);
    }

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int POSITION_WIDTH = 40;

    /** Times are kept to the millisecond, as they are stored: an entry and the same entry read back are equal. */
    public HistoryEvent {
        position = position == null ? "" : position;
        at = at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** What it records: an {@link EventType}, or the type of the alert raised. */
    public HistoryKind type() {
        return facts.kind();
    }

    /**
     * The sort key within a state's history: time first, so that one query reads it in order, then the
     * source and its position, so that events in the same millisecond keep their source's order.
     */
    public static String eventKey(Instant at, Source source, String position, String part) {
        String paddedPosition = position.length() >= POSITION_WIDTH
                ? position : "0".repeat(POSITION_WIDTH - position.length()) + position;
        return time(at) + "#" + source.label() + "#" + paddedPosition + "#" + part;
    }

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ}: sorts as the time does. */
    static String time(Instant at) {
        return TIME.format(at);
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

    /** An entry from the fields it was stored as, by this version or an earlier one. */
    public static HistoryEvent fromFields(Map<String, Object> fields) {
        return HistoryCodec.event(fields);
    }

    /** Every field of the entry, named as it is stored and printed ({@link HistoryAttributes}), in a fixed order. */
    public Map<String, Object> fields() {
        return HistoryCodec.fields(this);
    }
}

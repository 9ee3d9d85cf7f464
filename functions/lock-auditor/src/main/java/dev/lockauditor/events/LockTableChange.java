package dev.lockauditor.events;

import java.time.Instant;
import java.util.Map;

/**
 * One change to one lock table item, as its stream reports it, in plain values.
 *
 * @param kind     INSERT, MODIFY or REMOVE
 * @param eventId  the stream record's id
 * @param sequence the stream record's sequence number
 * @param at       when the change was made
 * @param oldImage the item before the change, or null
 * @param newImage the item after the change, or null
 * @param byTtl    the table's time to live removed the item (the record's {@code userIdentity} is DynamoDB itself)
 */
public record LockTableChange(Kind kind, String eventId, String sequence, Instant at, Image oldImage, Image newImage,
                              boolean byTtl) {

    public enum Kind { INSERT, MODIFY, REMOVE }

    public LockTableChange(Kind kind, String eventId, String sequence, Instant at, Image oldImage, Image newImage) {
        this(kind, eventId, sequence, at, oldImage, newImage, false);
    }

    /**
     * An item image.
     *
     * @param strings the string attributes' values, by name
     * @param types   every attribute's DynamoDB type, by name
     */
    public record Image(Map<String, String> strings, Map<String, String> types) {
    }
}

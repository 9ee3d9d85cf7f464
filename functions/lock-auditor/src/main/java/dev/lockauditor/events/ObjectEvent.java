package dev.lockauditor.events;

import dev.lockauditor.alert.Alerts.Writer;
import java.time.Instant;

/**
 * One S3 object event, from EventBridge or a classic notification, in plain values.
 *
 * @param key          the object key, decoded
 * @param at           when S3 made the change
 * @param sequencer    S3's order of events for one key (hex, compared after left-padding)
 * @param eventId      the event's id
 * @param size         bytes, for a created object; null otherwise
 * @param etag         the ETag, for a created object; null otherwise
 * @param versionId    the version created or deleted (or the delete marker's), or null
 * @param deleteMarker a delete marker was created rather than the object deleted
 * @param writer       who made the change
 * @param reason       the API that made it (e.g. {@code PutObject}, {@code DeleteObject})
 * @param requestId    the S3 request id (the request's CloudTrail record carries it too), or null
 */
public record ObjectEvent(Kind kind, String bucket, String key, Instant at, String sequencer, String eventId,
                          Long size, String etag, String versionId, boolean deleteMarker, Writer writer,
                          String reason, String requestId) {

    public enum Kind { CREATED, DELETED }

    public ObjectEvent(Kind kind, String bucket, String key, Instant at, String sequencer, String eventId, Long size,
                       String etag, String versionId, boolean deleteMarker, Writer writer, String reason) {
        this(kind, bucket, key, at, sequencer, eventId, size, etag, versionId, deleteMarker, writer, reason, null);
    }

    /** The sequencer, left-padded so that sequencers of one key compare as strings. */
    public String orderedSequencer() {
        String sequencer = this.sequencer == null ? "" : this.sequencer.toUpperCase();
        return sequencer.length() >= 32 ? sequencer : "0".repeat(32 - sequencer.length()) + sequencer;
    }
}

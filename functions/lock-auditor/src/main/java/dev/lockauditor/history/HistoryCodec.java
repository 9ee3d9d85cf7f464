package dev.lockauditor.history;

import static dev.lockauditor.history.HistoryAttributes.*;

import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * History entries as the flat fields they are stored and printed as, and back. Reading accepts what every
 * earlier version wrote: the same names, {@code created} as Terraform wrote it or as an instant, and no field
 * required beyond an entry's identity.
 */
final class HistoryCodec {

    /** The fields every entry has, and those an alert entry has beside its details. */
    private static final Set<String> ENVELOPE = Set.of(STATE_PATH, EVENT_KEY, EVENT, AT, BUCKET, KEY, WORKSPACE, SOURCE,
            SOURCE_EVENT_ID, SOURCE_POSITION, EXPIRES_AT, WRITE_ID, ALERT_STATUS, PENDING_UNTIL, ENVIRONMENT,
            PRINCIPAL_ARN, USER_AGENT, TOOL);
    private static final Set<String> ALERT_FIELDS = Set.of(SEVERITY, LOCK_ID, WHO, OPERATION, DETECTED_AT, SUMMARY);

    private HistoryCodec() {
    }

    static Map<String, Object> fields(HistoryEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>(32);
        fields.put(STATE_PATH, event.state().path());
        fields.put(EVENT_KEY, event.eventKey());
        fields.put(EVENT, event.type().name());
        fields.put(AT, HistoryEvent.time(event.at()));
        fields.put(BUCKET, event.state().bucket());
        fields.put(KEY, event.state().key());
        fields.put(WORKSPACE, event.state().workspace());
        fields.put(SOURCE, event.source().label());
        Facts.putKnown(fields, SOURCE_EVENT_ID, event.sourceId());
        fields.put(SOURCE_POSITION, event.position());
        Facts facts = event.facts();
        if (facts instanceof Facts.LockAcquired acquired) {
            lock(fields, acquired.lock());
            Facts.putKnown(fields, VERSION_ID, acquired.versionId());
        } else if (facts instanceof Facts.LockReleased released) {
            lock(fields, released.lock());
            Facts.putKnown(fields, HELD_FOR_SECONDS, released.heldForSeconds());
            Facts.putKnown(fields, VERSION_ID, released.versionId());
            if (released.forced()) {
                fields.put(FORCED, true);
            }
        } else if (facts instanceof Facts.StateWritten written) {
            object(fields, written.object());
            Facts.putKnown(fields, ETAG_IS_MD5, written.etagIsMd5());
            if (written.header() != null) {
                Facts.putKnown(fields, STATE_VERSION, written.header().stateVersion());
                Facts.putKnown(fields, TERRAFORM_VERSION, written.header().terraformVersion());
                fields.put(SERIAL, written.header().serial());
                fields.put(LINEAGE, written.header().lineage());
            }
            if (written.unreadable() != null) {
                fields.put(HEADER_READABLE, false);
                fields.put(WHY_UNREADABLE, written.unreadable());
            }
            Facts.putKnown(fields, FOUND, written.found());
            Facts.putKnown(fields, CONTENT_TYPE, written.contentType());
        } else if (facts instanceof Facts.StateDeleted deleted) {
            object(fields, deleted.object());
            fields.put(DELETE_MARKER, deleted.deleteMarker());
        } else if (facts instanceof Facts.DigestUpdated digest) {
            Facts.putKnown(fields, DIGEST, digest.digest());
            Facts.putKnown(fields, PREVIOUS_DIGEST, digest.previousDigest());
        } else if (facts instanceof Facts.DigestRemoved removed) {
            Facts.putKnown(fields, PREVIOUS_DIGEST, removed.previousDigest());
        } else if (facts instanceof Facts.LockAcknowledged ack) {
            fields.put(LOCK_ID, ack.lockId());
            Facts.putKnown(fields, ACKNOWLEDGED_BY, ack.by());
            Facts.putKnown(fields, REASON, ack.reason());
            Facts.putKnown(fields, UNTIL, ack.until() == null ? null : ack.until().toString());
        } else if (facts instanceof Facts.AlertRaised alert) {
            Facts.putKnown(fields, SEVERITY, alert.severity());
            Facts.putKnown(fields, LOCK_ID, alert.lockId());
            Facts.putKnown(fields, WHO, alert.who());
            Facts.putKnown(fields, OPERATION, alert.operation());
            alert.details().forEach((name, value) -> Facts.putKnown(fields, name, value));
            Facts.putKnown(fields, DETECTED_AT, alert.detectedAt() == null ? null : alert.detectedAt().toString());
            Facts.putKnown(fields, SUMMARY, alert.summary());
        }
        Facts.Caller caller = event.caller();
        if (caller != null) {
            Facts.putKnown(fields, PRINCIPAL_ARN, caller.principalArn());
            if (caller.sourceIp() != null) {
                fields.putIfAbsent(SOURCE_IP, caller.sourceIp());
            }
            Facts.putKnown(fields, USER_AGENT, caller.userAgent());
            Facts.putKnown(fields, TOOL, caller.tool());
        }
        return fields;
    }

    /** An entry from its stored fields. */
    static HistoryEvent event(Map<String, Object> fields) {
        String eventKey = text(fields, EVENT_KEY);
        String[] parts = eventKey.split("#", 4);
        StatePath state = new StatePath(text(fields, STATE_PATH), text(fields, BUCKET), text(fields, KEY),
                text(fields, WORKSPACE));
        return new HistoryEvent(state, HistoryEvent.timeOfEventKey(eventKey), source(parts[1]),
                text(fields, SOURCE_EVENT_ID), text(fields, SOURCE_POSITION), parts.length > 3 ? parts[3] : "0",
                facts(text(fields, EVENT), fields), caller(fields));
    }

    private static Facts.Caller caller(Map<String, Object> fields) {
        if (text(fields, PRINCIPAL_ARN) == null && text(fields, TOOL) == null) {
            return null;
        }
        return new Facts.Caller(text(fields, PRINCIPAL_ARN), text(fields, SOURCE_IP), text(fields, USER_AGENT),
                text(fields, TOOL));
    }

    private static Facts facts(String event, Map<String, Object> fields) {
        EventType type;
        try {
            type = EventType.valueOf(event);
        } catch (IllegalArgumentException notAnEvent) {
            Map<String, Object> details = new LinkedHashMap<>();
            fields.forEach((name, value) -> {
                if (!ENVELOPE.contains(name) && !ALERT_FIELDS.contains(name)) {
                    details.put(name, value);
                }
            });
            String detectedAt = text(fields, DETECTED_AT);
            return new Facts.AlertRaised(event, text(fields, SEVERITY), text(fields, LOCK_ID), text(fields, WHO),
                    text(fields, OPERATION), details, detectedAt == null ? null : Instant.parse(detectedAt),
                    text(fields, SUMMARY));
        }
        return switch (type) {
            case LOCK_ACQUIRED -> new Facts.LockAcquired(lock(fields), text(fields, VERSION_ID));
            case LOCK_RELEASED -> new Facts.LockReleased(lock(fields), number(fields, HELD_FOR_SECONDS),
                    text(fields, VERSION_ID), Boolean.TRUE.equals(fields.get(FORCED)));
            case STATE_WRITTEN -> new Facts.StateWritten(object(fields),
                    number(fields, SERIAL) == null || text(fields, LINEAGE) == null ? null
                            : new Facts.Header(number(fields, STATE_VERSION), text(fields, TERRAFORM_VERSION),
                                    number(fields, SERIAL), text(fields, LINEAGE)),
                    !Boolean.FALSE.equals(fields.get(HEADER_READABLE)) ? null
                            : text(fields, WHY_UNREADABLE) != null ? text(fields, WHY_UNREADABLE) : text(fields, ENCRYPTION),
                    text(fields, FOUND), text(fields, CONTENT_TYPE),
                    fields.get(ETAG_IS_MD5) instanceof Boolean md5 ? md5 : null);
            case STATE_DELETED -> new Facts.StateDeleted(object(fields), Boolean.TRUE.equals(fields.get(DELETE_MARKER)));
            case DIGEST_UPDATED -> new Facts.DigestUpdated(text(fields, DIGEST), text(fields, PREVIOUS_DIGEST));
            case DIGEST_REMOVED -> new Facts.DigestRemoved(text(fields, PREVIOUS_DIGEST));
            case LOCK_ACKNOWLEDGED -> new Facts.LockAcknowledged(text(fields, LOCK_ID), text(fields, ACKNOWLEDGED_BY),
                    text(fields, REASON), text(fields, UNTIL) == null ? null : Instant.parse(text(fields, UNTIL)));
        };
    }

    private static void lock(Map<String, Object> fields, Facts.Lock lock) {
        if (lock == null) {
            return;
        }
        fields.put(LOCK_ID, lock.id());
        Facts.putKnown(fields, OPERATION, lock.operation());
        Facts.putKnown(fields, WHO, lock.who());
        Facts.putKnown(fields, VERSION, lock.version());
        Facts.putKnown(fields, CREATED, lock.created() == null ? null : lock.created().toString());
        Facts.putKnown(fields, INFO, lock.info());
    }

    private static Facts.Lock lock(Map<String, Object> fields) {
        String id = text(fields, LOCK_ID);
        if (id == null) {
            return null;
        }
        Instant created = null;
        if (text(fields, CREATED) != null) {
            try {
                created = LockInfo.parseCreated(text(fields, CREATED));
            } catch (MalformedException e) {
                // not a time: unknown
            }
        }
        return new Facts.Lock(id, text(fields, OPERATION), text(fields, WHO), text(fields, VERSION), created,
                text(fields, INFO));
    }

    private static void object(Map<String, Object> fields, Facts.ObjectFacts object) {
        Facts.putKnown(fields, SIZE, object.size());
        Facts.putKnown(fields, ETAG, object.etag());
        Facts.putKnown(fields, VERSION_ID, object.versionId());
        Facts.putKnown(fields, SEQUENCER, object.sequencer());
        Facts.putKnown(fields, WRITER, object.writer());
        Facts.putKnown(fields, SOURCE_IP, object.sourceIp());
        Facts.putKnown(fields, REASON, object.reason());
        Facts.putKnown(fields, REQUEST_ID, object.requestId());
    }

    private static Facts.ObjectFacts object(Map<String, Object> fields) {
        return new Facts.ObjectFacts(number(fields, SIZE), text(fields, ETAG), text(fields, VERSION_ID),
                text(fields, SEQUENCER), text(fields, WRITER), text(fields, SOURCE_IP), text(fields, REASON),
                text(fields, REQUEST_ID));
    }

    private static Source source(String label) {
        for (Source source : Source.values()) {
            if (source.label().equals(label)) {
                return source;
            }
        }
        throw new IllegalArgumentException("no history source '" + label + "'");
    }

    private static String text(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        return value == null ? null : value.toString();
    }

    private static Long number(Map<String, Object> fields, String name) {
        return fields.get(name) instanceof Number number ? number.longValue() : null;
    }

}

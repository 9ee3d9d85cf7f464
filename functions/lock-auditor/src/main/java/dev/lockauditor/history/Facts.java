package dev.lockauditor.history;

import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a history entry says, one type per kind of entry, with named fields; null where a fact is not known. */
public sealed interface Facts {

    /** Only what is known is kept: no nulls, no empty texts (history's fields and an alert's facts alike). */
    static void putKnown(Map<String, Object> fields, String name, Object value) {
        if (value != null && !(value instanceof String text && text.isEmpty())) {
            fields.put(name, value);
        }
    }


    /** The kind of entry these facts make. */
    HistoryKind kind();

    /** The lock an acquisition or a release is about, when known; null for any other entry. */
    static Lock lockOf(Facts facts) {
        if (facts instanceof LockAcquired acquired) {
            return acquired.lock();
        }
        return facts instanceof LockReleased released ? released.lock() : null;
    }

    /**
     * A lock as its lock info says.
     *
     * @param created when it was taken ({@code Created}), or null when that is not a time
     */
    record Lock(String id, String operation, String who, String version, Instant created, String info) {

        /** An empty text is no fact: it is kept as unknown (null), as it is stored. */
        public Lock {
            operation = blankIsNull(operation);
            who = blankIsNull(who);
            version = blankIsNull(version);
            info = blankIsNull(info);
        }

        private static String blankIsNull(String text) {
            return text == null || text.isEmpty() ? null : text;
        }

        public static Lock of(LockInfo lock) {
            Instant created;
            try {
                created = lock.createdInstant();
            } catch (MalformedException e) {
                created = null;
            }
            return new Lock(lock.id(), lock.operation(), lock.who(), lock.version(), created, lock.info());
        }

        /** The lock info it came from, as far as history keeps it ({@code Created} as an RFC 3339 instant). */
        public LockInfo toLockInfo(String path) {
            return new LockInfo(id, or(operation), or(info), or(who), or(version),
                    created == null ? "" : created.toString(), path);
        }

        /** Seconds it had been held at {@code at}, when it is known when it was taken. */
        public Long heldForSecondsAt(Instant at) {
            return created == null ? null : LockInfo.heldForSeconds(created, at);
        }

        private static String or(String value) {
            return value == null ? "" : value;
        }
    }

    /**
     * What an object's event says of it: null where the event does not say.
     *
     * @param requestId the S3 request id, which the request's CloudTrail record carries too
     */
    record ObjectFacts(Long size, String etag, String versionId, String sequencer, String writer, String sourceIp,
                       String reason, String requestId) {
        public static final ObjectFacts NONE = new ObjectFacts(null, null, null, null, null, null, null, null);

        public ObjectFacts(Long size, String etag, String versionId, String sequencer, String writer, String sourceIp,
                           String reason) {
            this(size, etag, versionId, sequencer, writer, sourceIp, reason, null);
        }
    }

    /**
     * Who made the request behind an event, as its CloudTrail record names the caller (or, for a lock item the
     * table's TTL removed, the table itself); a field the record does not carry is unknown (null).
     *
     * @param tool what the user agent names: {@code terraform 1.11.2}, {@code tofu 1.10.0}, {@code aws-cli 2.15.0},
     *             {@code console}, {@code sdk}
     */
    record Caller(String principalArn, String sourceIp, String userAgent, String tool) {
        /** DynamoDB's time to live, deleting an expired item. */
        public static final Caller TABLE_TTL = new Caller("dynamodb.amazonaws.com", null, null, "dynamodb ttl");

        /** Whether two callers are known to differ: another principal, or the same one from another address. */
        public boolean differsFrom(Caller other) {
            if (principalArn != null && other.principalArn != null && !principalArn.equals(other.principalArn)) {
                return true;
            }
            return sourceIp != null && other.sourceIp != null && !sourceIp.equals(other.sourceIp);
        }

        /** How a message names it: the principal, from where, with what, as far as known. */
        public String describe() {
            return (principalArn == null ? "an unknown principal" : principalArn)
                    + (sourceIp == null ? "" : " from " + sourceIp) + (tool == null ? "" : " using " + tool);
        }
    }

    /** A state's header fields; an encrypted OpenTofu state has only its serial and lineage in plain. */
    record Header(Long stateVersion, String terraformVersion, long serial, String lineage) {
    }

    record LockAcquired(Lock lock, String versionId) implements Facts {
        @Override
        public HistoryKind kind() {
            return EventType.LOCK_ACQUIRED;
        }
    }

    /**
     * @param lock   the lock released, when known (a lock file already gone when its creation was read is not)
     * @param forced whether CloudTrail showed another principal (or source) release it than the one that took it
     */
    record LockReleased(Lock lock, Long heldForSeconds, String versionId, boolean forced) implements Facts {
        public LockReleased(Lock lock, Long heldForSeconds, String versionId) {
            this(lock, heldForSeconds, versionId, false);
        }

        @Override
        public HistoryKind kind() {
            return EventType.LOCK_RELEASED;
        }
    }

    /**
     * @param header      the state's header, when it could be read
     * @param unreadable  why the header is not here: it could not be read, the object is not a state Terraform would
     *                    load, or it is encrypted; null when it is here
     * @param found       what an object that is not a state is ("an HTML page", "a JSON object"), never its bytes
     * @param contentType the object's Content-Type, when it is not a state
     * @param etagIsMd5   whether the object's ETag is the MD5 of its body (single part, neither SSE-KMS nor SSE-C);
     *                    null when the read did not say
     */
    record StateWritten(ObjectFacts object, Header header, String unreadable, String found, String contentType,
                        Boolean etagIsMd5) implements Facts {
        public StateWritten(ObjectFacts object, Header header, String unreadable) {
            this(object, header, unreadable, null, null, null);
        }

        @Override
        public HistoryKind kind() {
            return EventType.STATE_WRITTEN;
        }
    }

    record StateDeleted(ObjectFacts object, boolean deleteMarker) implements Facts {
        @Override
        public HistoryKind kind() {
            return EventType.STATE_DELETED;
        }
    }

    record DigestUpdated(String digest, String previousDigest) implements Facts {
        @Override
        public HistoryKind kind() {
            return EventType.DIGEST_UPDATED;
        }
    }

    record DigestRemoved(String previousDigest) implements Facts {
        @Override
        public HistoryKind kind() {
            return EventType.DIGEST_REMOVED;
        }
    }

    /**
     * A lock acknowledged as held on purpose.
     *
     * @param by    who acknowledged it: the caller's AWS identity
     * @param until until when, or null for as long as the lock is held
     */
    record LockAcknowledged(String lockId, String by, String reason, Instant until) implements Facts {
        @Override
        public HistoryKind kind() {
            return EventType.LOCK_ACKNOWLEDGED;
        }

        /** Whether it still covers the lock at {@code at}. */
        public boolean lastsAt(Instant at) {
            return until == null || at.isBefore(until);
        }
    }

    /**
     * An alert raised, as its state's history keeps it.
     *
     * @param type    the alert type's name
     * @param details the alert type's own facts, as its document names them
     */
    record AlertRaised(String type, String severity, String lockId, String who, String operation,
                       Map<String, Object> details, Instant detectedAt, String summary) implements Facts {
        public AlertRaised {
            details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        }

        @Override
        public HistoryKind kind() {
            return () -> type;
        }
    }
}

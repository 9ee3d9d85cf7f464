package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Compares a state's digest item with its object's MD5, after a state write or a digest change, and raises
 * {@code DIGEST_MISMATCH} when they still differ once the pair has had its grace to converge. Both sides
 * look at the current object and the current digest, so whichever event comes last sees them agree.
 */
public final class DigestVerifier {

    public enum Result { MATCH, NO_DIGEST, NO_OBJECT, UNREADABLE, MISMATCH }

    private static final Duration RECHECK = Duration.ofSeconds(2);

    private final StateBucket bucket;
    private final LockTable locks;
    private final AlertSink sink;
    private final Alerts alerts;
    private final Duration grace;
    private final Clock clock;
    private final Sleeper sleeper;

    public DigestVerifier(StateBucket bucket, LockTable locks, AlertSink sink, Alerts alerts, Duration grace,
                          Clock clock, Sleeper sleeper) {
        this.bucket = bucket;
        this.locks = locks;
        this.sink = sink;
        this.alerts = alerts;
        this.grace = grace;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * @param changedAt when the object or digest change that asks for this check was made
     * @param sourceId  the event that asks for it
     * @param digest    the digest the asking event carries, if it carries one (it spares the first read of the
     *                  lock table); null to read it
     */
    public Result verify(StatePath state, Instant changedAt, String sourceId, String digest) {
        try {
            return compare(state, changedAt, sourceId, digest);
        } catch (StateBucket.Unreadable e) {
            return Result.UNREADABLE;
        }
    }

    /** An object's MD5: its ETag when that is the MD5, else its bytes streamed through MD5. */
    public static Optional<String> md5(StateBucket bucket, ObjectHead head) {
        String fromEtag = head.md5FromEtag();
        return fromEtag != null ? Optional.of(fromEtag) : bucket.md5(head.key(), head.versionId());
    }

    private Result compare(StatePath state, Instant changedAt, String sourceId, String knownDigest) {
        ObjectHead hashed = null;
        String md5 = null;
        String known = knownDigest;
        while (true) {
            Optional<ObjectHead> head = bucket.head(state.key());
            if (head.isEmpty()) {
                return Result.NO_OBJECT;
            }
            if (head.get().encryption() == ObjectHead.Encryption.SSE_C) {
                return Result.UNREADABLE;
            }
            if (!head.get().equals(hashed)) {
                hashed = head.get();
                md5 = md5(bucket, hashed).orElse(null);
                if (md5 == null) {
                    return Result.NO_OBJECT;
                }
            }
            // The event's own digest can only settle a match; anything else is judged on the table's current value.
            String expected = md5.equals(known) ? known : locks.digest(state.path()).orElse(null);
            known = null;
            Instant lastWrite = hashed.lastModified().isAfter(changedAt) ? hashed.lastModified() : changedAt;
            Instant now = clock.instant();
            switch (DigestCheck.evaluate(expected, md5, lastWrite, now, grace)) {
                case MATCH -> {
                    return Result.MATCH;
                }
                case NO_DIGEST -> {
                    return Result.NO_DIGEST;
                }
                case MISMATCH -> {
                    // The same object and digest found from either side is the same alert.
                    Alert.Identity identity = new Alert.Identity(hashed.lastModified(), Source.STATE_OBJECT,
                            "digest-" + expected + "-" + md5, sourceId);
                    sink.raise(alerts.digestMismatch(state, expected, md5, now, identity));
                    return Result.MISMATCH;
                }
                case WAIT -> {
                    Sleeper.pauseUntil(sleeper, clock, lastWrite.plus(grace), RECHECK);
                }
            }
        }
    }
}

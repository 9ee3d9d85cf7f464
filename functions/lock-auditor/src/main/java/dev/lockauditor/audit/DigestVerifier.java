package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.rules.DigestCheck;
import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Compares a state's digest item with its object's MD5 and raises {@code DIGEST_MISMATCH} when they differ for good.
 * It never waits: a check that cannot be decided yet says when it can be, and is brought back then.
 *
 * <p>Terraform (and OpenTofu) upload the object, then write its digest. So after a <em>digest change</em> the object
 * it describes is already there: a difference with an object older than the change is a mismatch now, and one with
 * an object that may be newer is left to that object's own event. After a <em>state write</em> the digest follows
 * within moments: a difference is a mismatch once the pair has had {@code grace} after the later of the two writes.
 * Both sides look at the current object and the current digest, and the same pair found from either side is the
 * same alert.
 */
public record DigestVerifier(StateBucket bucket, LockTable locks, HistoryStore history, AlertRaiser alerts,
                             Duration grace, Clock clock) {


    /** Which lock a write was made under, as far as the lock history tells. */
    public enum WriteLock {
        /** A lock table lock (with or without a lock file): Terraform writes the digest after the state. */
        LOCK_TABLE,
        /** An S3 lock file alone: Terraform neither writes nor reads the digest. */
        LOCK_FILE_ONLY,
        /** No lock: the state changed outside Terraform, or with -lock=false. */
        NONE
    }

    /**
     * After a state write's event. A write under a lock file alone leaves the digest of the lock table days behind:
     * that is {@code STALE_DIGEST}, once per state, not a mismatch.
     *
     * @return when the check can be decided, if it cannot be yet
     */
    /**
     * @param caller who made the write, when its CloudTrail record is known
     * @param known  the MD5 of the written object, when reading its header already computed it
     */
    public Optional<Instant> afterWrite(StatePath state, Instant writtenAt, String sourceId, WriteLock lock,
                                        Facts.Caller caller, Known known) {
        return compare(state, writtenAt, sourceId, null, lock, caller, known);
    }

    /** An object's MD5 already computed, and the ETag of the object it is of: the same ETag, the same bytes. */
    public record Known(String etag, String md5) {
        public static final Known NONE = new Known(null, null);

        String of(ObjectHead head) {
            return md5 != null && etag != null && etag.equals(head.etag()) ? md5 : null;
        }
    }

    /**
     * After a digest change recorded from the lock table's stream; always decided (or left to the object's event).
     *
     * @param digest the digest the change carries (it spares the first read of the lock table)
     */
    /** @param caller who changed the digest, when its CloudTrail record is known */
    public void afterDigestChange(StatePath state, Instant changedAt, String sourceId, String digest,
                                  Facts.Caller caller) {
        compare(state, changedAt, sourceId, digest, null, caller, Known.NONE);
    }

    /** An object's MD5: its ETag when that is the MD5, else its bytes streamed through MD5. */
    public static Optional<String> md5(StateBucket bucket, ObjectHead head) {
        String fromEtag = head.md5FromEtag();
        return fromEtag != null ? Optional.of(fromEtag) : bucket.md5(head.key(), head.versionId());
    }

    /** @param writeLock the lock of the write that asks, or null when a digest change asks */
    private Optional<Instant> compare(StatePath state, Instant changedAt, String sourceId, String knownDigest,
                                      WriteLock writeLock, Facts.Caller caller, Known known) {
        boolean digestChanged = writeLock == null;
        ObjectHead head;
        String md5;
        try {
            Optional<ObjectHead> found = bucket.head(state.key());
            if (found.isEmpty() || found.get().encryption() == ObjectHead.Encryption.SSE_C) {
                return Optional.empty();
            }
            head = found.get();
            md5 = known.of(head) != null ? known.of(head) : md5(bucket, head).orElse(null);
        } catch (StateBucket.Unreadable e) {
            return Optional.empty();
        }
        if (md5 == null) {
            return Optional.empty();
        }
        if (!digestChanged && head.lastModified().isAfter(changedAt.plus(LockCoverage.SKEW))) {
            // The object is a newer write than the one asking: that write's own event judges it, with its own lock.
            return Optional.empty();
        }
        // The event's own digest can only settle a match; anything else is judged on the table's current value.
        String expected = md5.equals(knownDigest) ? knownDigest : locks.digest(state.path()).orElse(null);
        Instant lastWrite = head.lastModified().isAfter(changedAt) ? head.lastModified() : changedAt;
        DigestCheck.Verdict verdict = DigestCheck.evaluate(expected, md5, lastWrite, clock.instant(), grace);
        if (verdict == DigestCheck.Verdict.WAIT) {
            if (!digestChanged) {
                return Optional.of(lastWrite.plus(grace));
            }
            if (head.lastModified().plus(LockCoverage.SKEW).isAfter(changedAt)) {
                return Optional.empty();
            }
            verdict = DigestCheck.Verdict.MISMATCH;
        }
        if (verdict != DigestCheck.Verdict.MISMATCH) {
            return Optional.empty();
        }
        if (writeLock == WriteLock.LOCK_FILE_ONLY) {
            staleDigest(state, expected, md5, sourceId);
            return Optional.empty();
        }
        Alerts.MismatchCause cause = digestChanged ? Alerts.MismatchCause.DIGEST_CHANGED
                : writeLock == WriteLock.LOCK_TABLE ? Alerts.MismatchCause.WRITER_DIGEST_FAILED
                : Alerts.MismatchCause.CHANGED_OUTSIDE_TERRAFORM;
        alerts.digestMismatch(head.lastModified(), expected, md5, sourceId,
                alerts.words().digestMismatch(state, expected, md5, cause, caller));
        return Optional.empty();
    }

    /**
     * Once per state and stale digest, however many writes are made under the lock file afterwards: the alert's
     * identity is the digest's own last change (from the lock table's history; the epoch when it predates it).
     */
    private void staleDigest(StatePath state, String staleDigest, String md5, String sourceId) {
        Instant changed = history.read(HistoryQuery.of(state.path()).kinds(EventType.DIGEST_UPDATED).newestFirst()
                        .limit(50)).stream()
                .filter(entry -> entry.facts() instanceof Facts.DigestUpdated updated
                        && staleDigest.equals(updated.digest()))
                .map(HistoryEvent::at).findFirst().orElse(Instant.EPOCH);
        alerts.staleDigest(changed, staleDigest, sourceId, alerts.words().staleDigest(state, staleDigest, md5));
    }
}

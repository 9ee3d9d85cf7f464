package dev.lockauditor.history;

import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the auditor keeps of its own progress, beside history: how far the lock table's stream has been recorded,
 * which locks are held as their events tell, and how far the sweep's full listing of the bucket has got.
 */
public interface Bookkeeping {

    /** A position in the lock table's stream: the newest record recorded, its time and sequence number. */
    record StreamPosition(Instant at, String sequenceNumber) {

        /** Whether it is at least as far on as {@code other}: stream times are whole seconds, shared by many records. */
        public boolean notBehind(StreamPosition other) {
            return !at.isBefore(other.at());
        }
    }

    /** How far the lock table's stream has been recorded in history, if it ever was. */
    Optional<StreamPosition> lockStreamRecorded();

    /** The stream was recorded up to {@code position}; a position behind the one kept changes nothing. */
    void lockStreamRecordedTo(StreamPosition position);

    /**
     * A lock held, as its acquisition's event told.
     *
     * @param kind         {@code DYNAMODB} (a lock table item) or {@code S3_LOCK_FILE} (a {@code .tflock} file)
     * @param missingSince when a sweep first found it no longer held while no release was recorded, or null
     */
    record HeldLock(Source kind, StatePath state, Facts.Lock lock, Instant missingSince) {
    }

    /** Every lock held, as the events recorded so far tell. */
    List<HeldLock> heldLocks();

    /** A lock was acquired; it replaces whatever lock of that kind was held on the state before. */
    void held(HeldLock lock);

    /** A held lock was released: removed if it is still the lock kept for its state and kind. */
    void released(Source kind, StatePath state, String lockId);

    /**
     * The sweep's full listing of the bucket, done a page budget at a time.
     *
     * @param continuation where the listing in progress goes on from, or null when none is in progress
     * @param completedAt  when the last full listing completed, or null
     */
    record Listing(String continuation, Instant startedAt, Instant completedAt) {
    }

    Optional<Listing> listing();

    void listing(Listing listing);

    /**
     * A {@code .tflock} object whose body is not lock info: not a lock. Kept under its object key so that its deletion
     * is skipped for the same reason rather than taken for a lock's release.
     *
     * @param eventKey the history position of its creation (time, source, sequencer), to tell it from a lock file
     *                 written at the same key before or after it
     */
    record ForeignLockFile(String key, String eventKey, String reason) {
    }

    void foreignLockFile(ForeignLockFile file);

    Optional<ForeignLockFile> foreignLockFile(String key);

    /**
     * A caller a CloudTrail record named, kept for the event it explains when that event has not been recorded yet
     * (a day at most).
     *
     * @param key what joins it to its event: {@code s3#<request id>}, or
     *            {@code dynamodb#<LockID>#<PutItem|DeleteItem>#<epoch second>}
     */
    record Called(String key, Instant at, Facts.Caller caller) {
    }

    void called(Called called);

    Optional<Called> called(String key);

    /** The callers kept under keys from {@code from} to {@code to}, both included. */
    List<Called> calledBetween(String from, String to);

    /**
     * How far the backfill from the bucket's object versions has gone: where its listing resumes (both markers null
     * before it starts), since when it reconstructs, when it started and completed, and what it found so far.
     */
    record Backfill(String keyMarker, String versionIdMarker, Instant since, Instant startedAt, Instant completedAt,
                    BackfillCounts counts) {
    }

    /** What a backfill found so far. */
    record BackfillCounts(long versionsRead, long states, long stateWrites, long lockSessions, long findings) {
        public static final BackfillCounts NONE = new BackfillCounts(0, 0, 0, 0, 0);

        public BackfillCounts plus(BackfillCounts other) {
            return new BackfillCounts(versionsRead + other.versionsRead, states + other.states,
                    stateWrites + other.stateWrites, lockSessions + other.lockSessions, findings + other.findings);
        }
    }

    Optional<Backfill> backfill();

    void backfill(Backfill backfill);
}

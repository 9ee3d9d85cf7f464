package dev.lockauditor.audit;

import dev.lockauditor.backend.LockFiles;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which locks were held on a state at a time, as far as can be known now ({@link LockCoverage} is the rule): its lock
 * history, the locks held now and, before a write is called unlocked, the bucket's own versions of its lock file; and
 * whether that can be said yet. A lock table lock seen covering a write decides at once; anything less only once every
 * lock change up to the write can be in ({@link LockHistoryProgress}, and the lock files' lag).
 */
public record WriteLocks(AuditSettings settings, LockTable locks, StateBucket bucket, HistoryStore history,
                         LockHistoryProgress progress, java.time.Clock clock) {

    /**
     * The locks found covering a write.
     *
     * @param kinds       {@code DYNAMODB}, {@code S3_LOCK_FILE}, or none: written unlocked
     * @param lookAgainAt when it can be decided, when it cannot be yet (then {@code kinds} is what is known so far)
     */
    public record Covered(Set<Source> kinds, Instant lookAgainAt) {
    }

    private static final Duration HISTORY_WINDOW = Duration.ofDays(1);

    /** Whether the backend has a lock table (else it is on lock files alone, and has no digest). */
    public boolean lockTable() {
        return progress.watchesLockTable();
    }

    /** The locks that covered a write at {@code at}, or when that can be told. */
    public Covered atWrite(StatePath state, Instant at) {
        Set<Source> kinds = kinds(state, at);
        if (!kinds.contains(Source.DYNAMODB)) {
            Optional<Instant> undecided = lookAgainAt(at, kinds.isEmpty());
            if (undecided.isPresent()) {
                return new Covered(kinds, undecided.get());
            }
            kinds = kinds(state, at);
        }
        if (kinds.isEmpty() && lockFileVersionsCover(state, at)) {
            kinds.add(Source.S3_LOCK_FILE);
        }
        return new Covered(kinds, null);
    }

    /**
     * When to look again at a change whose lock history may not be complete yet: the lock files' events (which come
     * with the state's, in any order) have their lag; the lock table's are complete when {@link LockHistoryProgress}
     * says so, however long that takes.
     *
     * @param uncovered whether no lock at all is known to cover it (else a lock file alone is)
     */
    public Optional<Instant> lookAgainAt(Instant at, boolean uncovered) {
        Instant now = clock.instant();
        Instant lagOver = at.plus(settings.lockEventLag());
        if (uncovered && now.isBefore(lagOver)) {
            return Optional.of(lagOver);
        }
        if ((uncovered || progress.watchesLockTable()) && !progress.completeThrough(at)) {
            return Optional.of(now.plus(settings.recheckEvery()));
        }
        return Optional.empty();
    }

    /** The state's locks around a time, as its history shows them. */
    public List<LockCoverage.Span> spans(StatePath state, Instant around) {
        return LockCoverage.spans(history.read(HistoryQuery.of(state.path())
                .kinds(EventType.LOCK_ACQUIRED, EventType.LOCK_RELEASED).since(around.minus(HISTORY_WINDOW))
                .newestFirst().limit(200)));
    }

    /** The kinds of lock held at {@code at}: from the lock history, and the locks held now. */
    private Set<Source> kinds(StatePath state, Instant at) {
        Set<Source> kinds = EnumSet.noneOf(Source.class);
        spans(state, at).stream().filter(span -> span.covers(at)).forEach(span -> kinds.addAll(span.sources()));
        locks.lock(state.path()).filter(lock -> LockCoverage.covers(lock, at))
                .ifPresent(lock -> kinds.add(Source.DYNAMODB));
        LockFiles.held(bucket, state, StateKeys.lockFileKey(state.key())).filter(lock -> LockCoverage.covers(lock, at))
                .ifPresent(lock -> kinds.add(Source.S3_LOCK_FILE));
        kinds.remove(Source.LOCK);
        return kinds;
    }

    /**
     * Before a write is called unlocked: whether the bucket's own versions of the lock file show one held then. They
     * are the complete record of a versioned bucket's lock files, whatever became of their events; asked only of a
     * write no lock was seen covering, so it costs a listing only where an alert is about to be raised.
     */
    private boolean lockFileVersionsCover(StatePath state, Instant at) {
        return LockCoverage.lockFileSpans(bucket.versionsOf(StateKeys.lockFileKey(state.key()))).stream()
                .anyMatch(span -> span.covers(at));
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEntry;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a lock was held on a state when it was written: a DynamoDB lock or a {@code .tflock} lock file,
 * known from the lock history around the write and from the locks held now.
 *
 * <p>Lock times come from different clocks (DynamoDB stream times are whole seconds, S3 event times are
 * milliseconds, {@code Created} is the holder's clock), so a lock counts as held if it was taken up to
 * {@code skew} after the write or released up to {@code skew} before it.
 */
public final class LockCoverage {

    public static final Duration SKEW = Duration.ofSeconds(2);

    private LockCoverage() {
    }

    /**
     * @param lockEvents   {@code LOCK_ACQUIRED} and {@code LOCK_RELEASED} entries of the state's history, any order
     * @param currentLocks the locks held on the state now
     */
    public static boolean held(Instant writtenAt, List<HistoryEntry> lockEvents, List<LockInfo> currentLocks) {
        Instant latestStart = writtenAt.plus(SKEW);
        Instant earliestEnd = writtenAt.minus(SKEW);
        for (LockInfo lock : currentLocks) {
            if (!createdOf(lock.created(), Instant.MAX).isAfter(latestStart)) {
                return true;
            }
        }
        Map<String, Instant> released = new HashMap<>();
        for (HistoryEntry entry : lockEvents) {
            if (EventType.LOCK_RELEASED.name().equals(entry.event()) && entry.string("lockId") != null) {
                released.merge(entry.string("lockId"), entry.at(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        for (HistoryEntry entry : lockEvents) {
            Instant start = createdOf(entry.string("created"), entry.at());
            if (EventType.LOCK_ACQUIRED.name().equals(entry.event())) {
                start = start.isBefore(entry.at()) ? start : entry.at();
            }
            Instant end = EventType.LOCK_RELEASED.name().equals(entry.event())
                    ? entry.at() : released.get(entry.string("lockId"));
            if (!start.isAfter(latestStart) && (end == null || !end.isBefore(earliestEnd))) {
                return true;
            }
        }
        return false;
    }

    private static Instant createdOf(String created, Instant fallback) {
        if (created == null) {
            return fallback;
        }
        try {
            return LockInfo.parseCreated(created);
        } catch (MalformedException e) {
            return fallback;
        }
    }
}

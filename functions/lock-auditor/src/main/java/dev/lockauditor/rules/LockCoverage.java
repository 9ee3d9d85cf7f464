package dev.lockauditor.rules;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which lock was held on a state when it was written: the rule that pairs locks with writes, for the unlocked
 * write check and for {@code bin/lock-auditor history}'s lock sessions alike. A lock is one lock id, whichever kinds
 * Terraform took it as (a DynamoDB item, a {@code .tflock} file, or both), from when it was taken to its release.
 *
 * <p>Lock times come from different clocks (DynamoDB stream times are whole seconds, S3 event times are
 * milliseconds, {@code Created} is the holder's clock), so a lock covers a write if it was taken up to
 * {@link #SKEW} after it or released up to {@link #SKEW} before it.
 */
public final class LockCoverage {

    /** How far apart the backend's clocks may put one moment: every rule that compares their times allows it. */
    public static final Duration SKEW = Duration.ofSeconds(2);

    /**
     * One lock as its history shows it.
     *
     * @param start          the earlier of its {@code Created} and its acquisition's event, when known
     * @param end            its release, or null while it is held (or its release was never seen)
     * @param heldForSeconds how long it was held, as its release recorded it
     * @param sources        the kinds it was seen as
     */
    public record Span(String lockId, Facts.Lock lock, Instant start, Instant end, Long heldForSeconds,
                       Set<Source> sources) {

        /** Whether a write at {@code at} was made under this lock. */
        public boolean covers(Instant at) {
            boolean startedInTime = start == null || !start.isAfter(at.plus(SKEW));
            boolean notEndedBefore = end == null || !end.isBefore(at.minus(SKEW));
            return startedInTime && notEndedBefore;
        }
    }

    private LockCoverage() {
    }

    /** The locks of a state's history entries ({@code LOCK_ACQUIRED} and {@code LOCK_RELEASED}, any order), oldest first. */
    public static List<Span> spans(List<HistoryEvent> lockEvents) {
        Map<String, Building> byLock = new LinkedHashMap<>();
        for (HistoryEvent event : lockEvents) {
            if (event.facts() instanceof Facts.LockAcquired acquired && acquired.lock() != null) {
                Building span = byLock.computeIfAbsent(acquired.lock().id(), id -> new Building());
                span.seen(acquired.lock(), event.source());
                span.started(acquired.lock().created());
                span.started(event.at());
            } else if (event.facts() instanceof Facts.LockReleased released && released.lock() != null) {
                Building span = byLock.computeIfAbsent(released.lock().id(), id -> new Building());
                span.seen(released.lock(), event.source());
                span.started(released.lock().created() != null ? released.lock().created() : event.at());
                if (span.end == null || event.at().isAfter(span.end)) {
                    span.end = event.at();
                    span.heldForSeconds = released.heldForSeconds();
                }
            }
        }
        List<Span> spans = new ArrayList<>();
        byLock.forEach((id, span) -> spans.add(new Span(id, span.lock, span.start, span.end, span.heldForSeconds,
                span.sources)));
        spans.sort(Comparator.comparing(Span::start, Comparator.nullsFirst(Comparator.naturalOrder())));
        return spans;
    }

    /**
     * A lock file's locks as a versioned bucket remembers them: each version of the {@code .tflock} object was a lock
     * from its write to the next version or delete marker, and the current one is held still.
     *
     * @param versions the versions of one lock file, oldest first
     */
    public static List<Span> lockFileSpans(List<StateBucket.Version> versions) {
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            StateBucket.Version version = versions.get(i);
            if (version.deleteMarker()) {
                continue;
            }
            Instant end = i + 1 < versions.size() ? versions.get(i + 1).lastModified() : null;
            spans.add(new Span("version " + version.versionId(), null, version.lastModified(), end,
                    end == null ? null : Duration.between(version.lastModified(), end).getSeconds(),
                    Set.of(Source.S3_LOCK_FILE)));
        }
        return spans;
    }

    /**
     * @param lockEvents   {@code LOCK_ACQUIRED} and {@code LOCK_RELEASED} entries of the state's history, any order
     * @param currentLocks the locks held on the state now
     */
    public static boolean held(Instant writtenAt, List<HistoryEvent> lockEvents, List<LockInfo> currentLocks) {
        return currentLocks.stream().anyMatch(lock -> covers(lock, writtenAt))
                || spans(lockEvents).stream().anyMatch(span -> span.covers(writtenAt));
    }

    /** Whether a lock held now covers a write at {@code writtenAt}: it was taken before it (up to the skew after). */
    public static boolean covers(LockInfo heldNow, Instant writtenAt) {
        try {
            return !heldNow.createdInstant().isAfter(writtenAt.plus(SKEW));
        } catch (MalformedException e) {
            return false;  // A lock whose start is not known covers nothing.
        }
    }

    private static final class Building {
        private Facts.Lock lock;
        private Instant start;
        private Instant end;
        private Long heldForSeconds;
        private final Set<Source> sources = new LinkedHashSet<>();

        /** What each of its entries says of the lock, merged: a fact one entry lacks another may have. */
        void seen(Facts.Lock seen, Source source) {
            lock = lock == null ? seen : new Facts.Lock(lock.id(), or(lock.operation(), seen.operation()),
                    or(lock.who(), seen.who()), or(lock.version(), seen.version()), or(lock.created(), seen.created()),
                    or(lock.info(), seen.info()));
            sources.add(source);
        }

        private static <T> T or(T value, T fallback) {
            return value != null ? value : fallback;
        }

        void started(Instant at) {
            if (at != null && (start == null || at.isBefore(start))) {
                start = at;
            }
        }
    }
}

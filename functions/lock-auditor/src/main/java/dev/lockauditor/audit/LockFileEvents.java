package dev.lockauditor.audit;

import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.backend.LockFiles;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@code .tflock} lock file taken or released: its creation is a lock taken (its body is the lock info; one whose
 * body was gone or unreadable is a lock of someone unknown), its deletion the release of the lock its last creation
 * took. A lock file whose body is not lock info is no lock, on its creation and its deletion alike.
 */
public record LockFileEvents(StateBucket bucket, HistoryStore history, LockIndex index, CallerJoin callers,
                             StaleLockNotices staleLocks, ObjectEntries entries) {

    public Outcome created(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        LockFiles.Found found = LockFiles.ofWrite(bucket, state, event.key(), event.versionId(), event.etag());
        if (found instanceof LockFiles.Foreign foreign) {
            index.foreignLockFile(event.key(), ObjectEntries.key(event, Source.S3_LOCK_FILE), foreign.reason());
            return new Outcome.Skipped("not a lock file: " + foreign.reason());
        }
        // A lock file whose lock info could not be read is a lock all the same, held by someone unknown.
        Facts.Lock lock = found instanceof LockFiles.Held held ? Facts.Lock.of(held.info())
                : LockFiles.unread(event.orderedSequencer(), event.at());
        HistoryEvent acquired = entries.of(state, Source.S3_LOCK_FILE, event, new Facts.LockAcquired(lock,
                event.versionId()));
        List<HistoryEvent> recorded = history.write(List.of(acquired));
        index.recorded(List.of(acquired));
        callers.recorded(acquired);
        return Outcome.Recorded.decided(recorded);
    }

    public Outcome deleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        String key = ObjectEntries.key(event, Source.S3_LOCK_FILE);
        Optional<HistoryEvent> acquired = history.read(HistoryQuery.of(state.path()).kinds(EventType.LOCK_ACQUIRED)
                        .before(key).newestFirst().limit(20)).stream()
                .filter(entry -> entry.source() == Source.S3_LOCK_FILE)
                .findFirst();
        Optional<Bookkeeping.ForeignLockFile> foreign = index.foreignLockFile(event.key())
                .filter(file -> file.eventKey().compareTo(key) < 0
                        && acquired.map(entry -> file.eventKey().compareTo(entry.eventKey()) > 0).orElse(true));
        if (foreign.isPresent()) {
            return new Outcome.Skipped("not a lock file: " + foreign.get().reason());
        }
        // Events come out of order: the lock released is the one whose lock file the deletion's delete marker hides
        // (a versioned bucket names it), not whichever lock history last saw taken. Without a marker to read, that
        // lock is the one, unless its release is in history already (then this lock's creation is late, and unknown).
        Facts.Lock lock = hiddenByMarker(state, event).map(Facts.Lock::of).orElse(null);
        Instant since = null;
        if (lock == null) {
            lock = acquired.map(entry -> ((Facts.LockAcquired) entry.facts()).lock())
                    .filter(taken -> !releasedBefore(state, taken, key)).orElse(null);
            since = lock == null ? null : acquired.get().at();
        }
        Instant start = lock != null && lock.created() != null ? lock.created() : since;
        Long heldFor = start == null ? null : LockInfo.heldForSeconds(start, event.at());
        HistoryEvent released = entries.of(state, Source.S3_LOCK_FILE, event,
                new Facts.LockReleased(lock, heldFor, event.versionId()));
        List<HistoryEvent> recorded = history.write(List.of(released));
        index.recorded(List.of(released));
        callers.recorded(released);
        staleLocks.released(state, lock, event.at(), event.eventId());
        return Outcome.Recorded.decided(recorded);
    }

    /** Whether history holds a release of this lock file's lock before {@code key} (by another deletion). */
    private boolean releasedBefore(StatePath state, Facts.Lock lock, String key) {
        return history.read(HistoryQuery.of(state.path()).kinds(EventType.LOCK_RELEASED).before(key).newestFirst()
                        .limit(20)).stream()
                .anyMatch(entry -> entry.source() == Source.S3_LOCK_FILE && Facts.lockOf(entry.facts()) != null
                        && lock.id().equals(Facts.lockOf(entry.facts()).id()));
    }

    /**
     * The lock a deletion that made a delete marker released: the lock info of the version just before the marker
     * (one listing from the marker, one ranged read), when that is this state's lock file (not another delete marker)
     * and it can be read.
     */
    private Optional<LockInfo> hiddenByMarker(StatePath state, ObjectEvent event) {
        if (!event.deleteMarker() || event.versionId() == null) {
            return Optional.empty();
        }
        try {
            Optional<StateBucket.Version> hidden = bucket.versions(event.key(), event.key(), event.versionId())
                    .versions().stream().filter(version -> version.key().equals(event.key())).findFirst();
            if (hidden.isEmpty() || hidden.get().deleteMarker() || hidden.get().versionId() == null) {
                return Optional.empty();
            }
            return LockFiles.read(bucket, state, event.key(), hidden.get().versionId());
        } catch (MalformedException | StateBucket.Unreadable e) {
            return Optional.empty();
        }
    }
}

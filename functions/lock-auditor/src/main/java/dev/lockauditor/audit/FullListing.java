package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.backend.LockFiles;
import dev.lockauditor.backend.Restores;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.backend.StateHeaders;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lock files held now, and the sweep's safety net: the lock files the events told of are each read to see that
 * they are still there; when a full listing of the bucket is due or under way, a few pages of it add the lock files it
 * finds, and record each state whose latest write history does not know (its event was lost).
 */
public record FullListing(StateBucket bucket, Bookkeeping bookkeeping, HistoryStore history, AlertRaiser alerts,
                          AuditSettings settings, Duration every) {

    /** How many pages (of up to 1,000 objects) of the full listing one sweep reads. */
    static final int PAGES_PER_SWEEP = 20;
    /** A write this recent may still have its event on the way: the listing does not reconcile it. */
    static final Duration RECENT = Duration.ofMinutes(15);
    /** What a history entry the sweep recorded says of itself: its own event was never seen. */
    public static final String RECONCILED = "recorded by the sweep: its event was never seen";

    /** The lock files held, by state, and how many state writes the listing recorded. */
    public record Found(Map<StatePath, LockInfo> lockFiles, int recorded) {
    }

    public Found lockFiles(List<Bookkeeping.HeldLock> indexed, Instant now) throws HistoryStore.WriteFailure {
        Map<StatePath, LockInfo> lockFiles = new LinkedHashMap<>();
        for (Bookkeeping.HeldLock entry : indexed) {
            if (entry.kind() == Source.S3_LOCK_FILE) {
                LockFiles.held(bucket, entry.state(), StateKeys.lockFileKey(entry.state().key()))
                        .ifPresent(info -> lockFiles.put(entry.state(), info));
            }
        }
        return new Found(lockFiles, pages(now, lockFiles));
    }

    private int pages(Instant now, Map<StatePath, LockInfo> lockFiles) throws HistoryStore.WriteFailure {
        Bookkeeping.Listing listing = bookkeeping.listing().orElse(new Bookkeeping.Listing(null, null, null));
        boolean underWay = listing.continuation() != null;
        if (!underWay && listing.completedAt() != null && now.isBefore(listing.completedAt().plus(every))) {
            return 0;
        }
        Instant startedAt = underWay ? listing.startedAt() : now;
        String next = listing.continuation();
        int recorded = 0;
        for (int page = 0; page < PAGES_PER_SWEEP; page++) {
            StateBucket.Page objects = bucket.page(next);
            for (StateBucket.Listed object : objects.objects()) {
                Optional<StatePath> lockFile = HeldLocks.lockFileState(bucket.name(), object.key(),
                        settings.workspaceKeyPrefix());
                if (lockFile.isPresent()) {
                    if (!lockFiles.containsKey(lockFile.get())) {
                        LockFiles.held(bucket, lockFile.get(), object.key())
                                .ifPresent(info -> lockFiles.put(lockFile.get(), info));
                    }
                } else if (reconcileState(object, now)) {
                    recorded++;
                }
            }
            next = objects.next();
            if (next == null) {
                break;
            }
        }
        bookkeeping.listing(new Bookkeeping.Listing(next, startedAt, next == null ? now : listing.completedAt()));
        return recorded;
    }

    /**
     * A state object whose write history does not know: its event was lost. Only keys named as states
     * ({@code STATE_INCLUDE_SUFFIXES}, else Terraform's {@code .tfstate}) are looked at, so that the other objects of
     * the bucket cost nothing but their listing.
     */
    private boolean reconcileState(StateBucket.Listed object, Instant now) throws HistoryStore.WriteFailure {
        if (!settings.namedAsState(object.key()) || object.etag() == null || object.lastModified() == null
                || object.lastModified().isAfter(now.minus(RECENT))) {
            return false;
        }
        StatePath state;
        try {
            state = StatePath.parse(StateKeys.lockPath(bucket.name(), object.key()), settings.workspaceKeyPrefix());
        } catch (MalformedException e) {
            return false;
        }
        List<HistoryEvent> latest = history.read(HistoryQuery.of(state.path())
                .kinds(EventType.STATE_WRITTEN, EventType.STATE_DELETED).newestFirst().limit(1));
        if (!latest.isEmpty() && latest.get(0).facts() instanceof Facts.StateWritten written
                && object.etag().equals(written.object().etag())) {
            return false;
        }
        Optional<StateHeaders.Read> read = StateHeaders.read(bucket, object.key(), null, object.etag(), false);
        if (read.isEmpty()) {
            return false;
        }
        StateHeaders.Read found = read.get();
        HistoryEvent written = new HistoryEvent(state, object.lastModified(), Source.STATE_OBJECT, Sweep.SWEEP,
                "sweep-" + object.etag(), "0", found.written(new Facts.ObjectFacts(object.size(), object.etag(), null,
                        null, null, null, RECONCILED)));
        boolean recorded = !history.write(List.of(written)).isEmpty();
        if (found.notAState() != null) {
            Restores.LastReadable last = Restores.before(bucket, state, null, alerts.words().lockTableName());
            Sweep.raise(() -> alerts.about(written, alerts.words().stateUnreadable(state, found.notAState(),
                    found.found(), found.contentType(), object.size(), new Alerts.Writer(null, null),
                    last.restore().orElse(null), last.versioned(), object.lastModified())));
        }
        return recorded;
    }
}

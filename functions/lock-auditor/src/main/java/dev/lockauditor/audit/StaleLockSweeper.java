package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.Operations;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The scheduled sweep: every lock held now (lock table items and {@code .tflock} files, one lock when Terraform
 * holds both) is checked against its stale threshold, and every digest item against its state object. It only reads
 * the backend.
 *
 * <p>Its cost follows the locks, not the bucket: the lock files held are known from their events (kept by
 * {@link LockIndex}), and each is read to see that it is still there; the bucket is listed in full only as a safety
 * net, at most every {@code fullListingEvery}, a few pages per sweep. It also reconciles what the backend holds
 * with what history says, for events that were lost: a lock held with no acquisition recorded, a lock gone whose
 * release was never seen (its stale-lock alert is cleared), a state whose latest write was never recorded.
 */
public final class StaleLockSweeper {

    /** What one sweep found. */
    public record Summary(int locks, int staleLocks, int digests, int orphanedDigests, int alertsRaised, int reconciled) {
    }

    /** How many pages (of up to 1,000 objects) of the full listing one sweep reads. */
    static final int LISTING_PAGES_PER_SWEEP = 20;
    /** A write this recent may still have its event on the way: the listing does not reconcile it. */
    static final Duration RECENT = Duration.ofMinutes(15);
    static final String SWEEP = "sweep";

    private final LockTable locks;
    private final StateBucket bucket;
    private final HistoryStore history;
    private final Bookkeeping bookkeeping;
    private final AlertSink sink;
    private final Alerts alerts;
    private final StaleLocks rules;
    private final StaleLockNotices notices;
    private final LockHistoryProgress progress;
    private final BackendReview review;
    private final String workspaceKeyPrefix;
    private final AuditSettings settings;
    private final Duration fullListingEvery;
    private final Clock clock;

    public StaleLockSweeper(LockTable locks, StateBucket bucket, HistoryStore history, Bookkeeping bookkeeping,
                            AlertSink sink, Alerts alerts, StaleLocks rules, StaleLockNotices notices,
                            LockHistoryProgress progress, AuditSettings settings, Duration fullListingEvery,
                            Clock clock) {
        this.locks = locks;
        this.bucket = bucket;
        this.history = history;
        this.bookkeeping = bookkeeping;
        this.sink = sink;
        this.alerts = alerts;
        this.rules = rules;
        this.notices = notices;
        this.progress = progress;
        this.review = new BackendReview(rules, settings);
        this.workspaceKeyPrefix = settings.workspaceKeyPrefix();
        this.settings = settings;
        this.fullListingEvery = fullListingEvery;
        this.clock = clock;
    }

    public Summary sweep() throws HistoryStore.WriteFailure {
        Instant now = clock.instant();
        List<Bookkeeping.HeldLock> indexed = bookkeeping.heldLocks();
        Map<StatePath, LockInfo> lockFiles = new LinkedHashMap<>();
        for (Bookkeeping.HeldLock entry : indexed) {
            if (entry.kind().equals("s3")) {
                LockFiles.held(bucket, entry.state(), StateKeys.lockFileKey(entry.state().key()))
                        .ifPresent(info -> lockFiles.put(entry.state(), info));
            }
        }
        int reconciled = listingPages(now, lockFiles);
        HeldLocks held = HeldLocks.of(locks.scan(), lockFiles);
        reconciled += reconcileLocks(indexed, held, now);

        int raised = 0;
        List<BackendReview.StaleLock> stale = review.staleLocks(held, now);
        for (BackendReview.StaleLock found : stale) {
            HeldLocks.Lock lock = found.lock();
            if (acknowledged(lock, now)) {
                continue;
            }
            long number = rules.alertNumber(lock.state(), lock.created(), now);
            Alert alert = alerts.staleLock(lock.state(), lock.info(), found.heldForSeconds(), found.threshold(),
                    number > 0, now, StaleLockNotices.staleIdentity(lock.created(), lock.info().id(), number));
            raised += raise(alert) ? 1 : 0;
        }
        int orphaned = 0;
        for (Map.Entry<StatePath, String> digest : held.digests().entrySet()) {
            // The sweep only looks that each digest's object is there: comparing contents is audit's, once.
            if (BackendReview.digest(bucket, digest.getKey(), digest.getValue(), false, now, Duration.ZERO).finding()
                    .orElse(null) instanceof BackendReview.OrphanedDigest found && !beingDeleted(found.state(), now)) {
                orphaned++;
                raised += raise(alerts.orphanedDigest(found.state(), found.digest(), now,
                        orphanIdentity(found.state(), found.digest()))) ? 1 : 0;
            }
        }
        return new Summary(held.locks().size(), stale.size(), held.digests().size(), orphaned, raised, reconciled);
    }

    /**
     * An alert another sweep is publishing right now (or was, and crashed) is left to it: the next sweep finds the
     * same alert, and raises it if that claim expired unpublished.
     */
    private boolean raise(Alert alert) {
        try {
            return sink.raise(alert);
        } catch (OnceAlerts.InFlight elsewhere) {
            return false;
        }
    }

    /**
     * The safety net: when a full listing is due or under way, a few pages of it. A lock file it finds is added to
     * the lock files held; a state whose latest write it finds unrecorded is recorded.
     *
     * @return how many states it recorded
     */
    private int listingPages(Instant now, Map<StatePath, LockInfo> lockFiles) throws HistoryStore.WriteFailure {
        Bookkeeping.Listing listing = bookkeeping.listing().orElse(new Bookkeeping.Listing(null, null, null));
        boolean underWay = listing.continuation() != null;
        if (!underWay && listing.completedAt() != null && now.isBefore(listing.completedAt().plus(fullListingEvery))) {
            return 0;
        }
        Instant startedAt = underWay ? listing.startedAt() : now;
        String next = listing.continuation();
        int recorded = 0;
        for (int page = 0; page < LISTING_PAGES_PER_SWEEP; page++) {
            StateBucket.Page objects = bucket.page(next);
            for (StateBucket.Listed object : objects.objects()) {
                Optional<StatePath> lockFile = HeldLocks.lockFileState(bucket.name(), object.key(), workspaceKeyPrefix);
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
            state = StatePath.parse(StateKeys.lockPath(bucket.name(), object.key()), workspaceKeyPrefix);
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
        HistoryEvent written = new HistoryEvent(state, object.lastModified(), Source.STATE_OBJECT, SWEEP,
                "sweep-" + object.etag(), "0", new Facts.StateWritten(new Facts.ObjectFacts(object.size(),
                        object.etag(), null, null, null, null, RECONCILED), found.fields(), found.whyNoHeader(),
                        found.found(), found.contentType()));
        boolean recorded = !history.write(List.of(written)).isEmpty();
        if (found.notAState() != null) {
            Restores.LastReadable last = Restores.before(bucket, state, null, alerts.lockTableName());
            raise(alerts.stateUnreadable(state, found.notAState(), found.found(), found.contentType(), object.size(),
                    new Alerts.Writer(null, null), last.restore().orElse(null), last.versioned(), object.lastModified(),
                    now, new Alert.Identity(written.at(), written.source(), written.position(), written.sourceId())));
        }
        return recorded;
    }

    /** What a history entry the sweep recorded says of itself: its own event was never seen. */
    public static final String RECONCILED = "recorded by the sweep: its event was never seen";

    /**
     * Locks held now against the locks their events told of: an acquisition never recorded is recorded (once its
     * events can no longer be on the way), and a lock gone whose release was never seen is released, at the sweep
     * that first found it gone, and its stale-lock alert cleared.
     *
     * @return how many entries it recorded
     */
    private int reconcileLocks(List<Bookkeeping.HeldLock> indexed, HeldLocks held, Instant now)
            throws HistoryStore.WriteFailure {
        int recorded = 0;
        Map<String, Bookkeeping.HeldLock> byKind = new LinkedHashMap<>();
        indexed.forEach(entry -> byKind.put(entry.kind() + "#" + entry.state().path(), entry));
        for (HeldLocks.Lock lock : held.locks().values()) {
            for (String kind : lock.kinds()) {
                Bookkeeping.HeldLock entry = byKind.get(kind + "#" + lock.state().path());
                if (entry != null && entry.lock().id().equals(lock.info().id())) {
                    continue;
                }
                if (!eventsDone(kind, lock.created(), now)) {
                    continue;
                }
                Facts.Lock facts = Facts.Lock.of(lock.info());
                if (!seen(lock.state(), EventType.LOCK_ACQUIRED, kind, facts.id())) {
                    HistoryEvent acquired = new HistoryEvent(lock.state(), lock.created(), LockIndex.source(kind), SWEEP,
                            "sweep-acquired-" + facts.id(), "0", new Facts.LockAcquired(facts, null));
                    recorded += history.write(List.of(acquired)).size();
                }
                bookkeeping.held(new Bookkeeping.HeldLock(kind, lock.state(), facts, null));
            }
        }
        for (Bookkeeping.HeldLock entry : indexed) {
            HeldLocks.Lock now0 = held.locks().get(entry.lock().id());
            if (now0 != null && now0.kinds().contains(entry.kind())) {
                continue;
            }
            if (entry.missingSince() == null) {
                bookkeeping.held(new Bookkeeping.HeldLock(entry.kind(), entry.state(), entry.lock(), now));
                continue;
            }
            if (!eventsDone(entry.kind(), entry.missingSince(), now)) {
                continue;
            }
            if (!seen(entry.state(), EventType.LOCK_RELEASED, entry.kind(), entry.lock().id())) {
                HistoryEvent released = new HistoryEvent(entry.state(), entry.missingSince(), LockIndex.source(entry.kind()),
                        SWEEP, "sweep-released-" + entry.lock().id(), "0",
                        new Facts.LockReleased(entry.lock(), entry.lock().heldForSecondsAt(entry.missingSince()), null));
                recorded += history.write(List.of(released)).size();
                notices.released(entry.state(), entry.lock(), entry.missingSince(), SWEEP);
            }
            bookkeeping.released(entry.kind(), entry.state(), entry.lock().id());
        }
        return recorded;
    }

    /** Whether the events of a lock change at {@code at} of this kind can no longer be on the way. */
    private boolean eventsDone(String kind, Instant at, Instant now) {
        if (kind.equals("dynamodb")) {
            return progress.completeThrough(at);
        }
        return !now.isBefore(at.plus(settings.lockEventLag()));
    }

    /** Whether history holds this lock's acquisition (or release), as seen from this kind of lock. */
    private boolean seen(StatePath state, EventType type, String kind, String lockId) {
        return history.read(HistoryQuery.of(state.path()).kinds(type).newestFirst().limit(50)).stream()
                .anyMatch(entry -> entry.source() == LockIndex.source(kind) && Facts.lockOf(entry.facts()) != null
                        && lockId.equals(Facts.lockOf(entry.facts()).id()));
    }

    /**
     * Whether the state is being deleted now: a deletion (or a workspace delete's lock) so recent that its own checks
     * have not had their lag and grace. Terraform deletes the digest item right after the object, so a sweep that
     * falls between the two must not call the digest orphaned: the deletion's checks decide.
     */
    private boolean beingDeleted(StatePath state, Instant now) {
        Instant since = now.minus(Duration.ofMinutes(1)).minus(settings.lockEventLag()).minus(settings.digestGrace());
        return history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_DELETED, EventType.LOCK_RELEASED)
                        .since(since).newestFirst().limit(20)).stream()
                .anyMatch(entry -> entry.facts() instanceof Facts.StateDeleted
                        || entry.facts() instanceof Facts.LockReleased released && released.lock() != null
                                && Operations.isWorkspaceDelete(released.lock().operation()));
    }

    /** Whether someone said this lock is held on purpose (bin/lock-auditor ack), and that still lasts. */
    private boolean acknowledged(HeldLocks.Lock lock, Instant now) {
        return history.read(HistoryQuery.of(lock.state().path()).kinds(EventType.LOCK_ACKNOWLEDGED)
                        .since(lock.created()).newestFirst().limit(20)).stream()
                .map(HistoryEvent::facts)
                .anyMatch(facts -> facts instanceof Facts.LockAcknowledged ack && ack.lockId().equals(lock.info().id())
                        && ack.lastsAt(now));
    }

    /**
     * The same identity the state's deletion gave its orphaned digest, so that the sweep does not raise it again;
     * for a state deleted before the auditor watched, the digest value names it.
     */
    private Alert.Identity orphanIdentity(StatePath state, String digest) {
        List<HistoryEvent> deletions = history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_DELETED)
                .newestFirst().limit(1));
        if (!deletions.isEmpty()) {
            HistoryEvent deletion = deletions.get(0);
            return new Alert.Identity(deletion.at(), Source.STATE_OBJECT, deletion.position(), deletion.sourceId());
        }
        return new Alert.Identity(Instant.EPOCH, Source.DYNAMODB, "orphaned-" + digest, "sweep");
    }
}

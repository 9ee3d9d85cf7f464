package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.Operations;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The scheduled sweep: every lock held now (lock table items and {@code .tflock} files, one lock when Terraform
 * holds both) is checked against its stale threshold, and every digest item against its state object. It
 * only reads the backend.
 */
public final class StaleLockSweeper {

    /** What one sweep found. */
    public record Summary(int locks, int staleLocks, int digests, int orphanedDigests, int alertsRaised) {
    }

    private final LockTable locks;
    private final StateBucket bucket;
    private final HistoryStore history;
    private final AlertSink sink;
    private final Alerts alerts;
    private final StaleLocks rules;
    private final BackendReview review;
    private final String workspaceKeyPrefix;
    private final AuditSettings settings;
    private final Clock clock;

    public StaleLockSweeper(LockTable locks, StateBucket bucket, HistoryStore history, AlertSink sink, Alerts alerts,
                            StaleLocks rules, AuditSettings settings, Clock clock) {
        this.locks = locks;
        this.bucket = bucket;
        this.history = history;
        this.sink = sink;
        this.alerts = alerts;
        this.rules = rules;
        this.review = new BackendReview(rules, settings);
        this.workspaceKeyPrefix = settings.workspaceKeyPrefix();
        this.settings = settings;
        this.clock = clock;
    }

    public Summary sweep() {
        HeldLocks held = HeldLocks.read(locks, bucket, workspaceKeyPrefix);
        Instant now = clock.instant();
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
            raised += sink.raise(alert) ? 1 : 0;
        }
        int orphaned = 0;
        for (Map.Entry<StatePath, String> digest : held.digests().entrySet()) {
            // The sweep only looks that each digest's object is there: comparing contents is audit's, once.
            if (BackendReview.digest(bucket, digest.getKey(), digest.getValue(), false, now, Duration.ZERO).finding()
                    .orElse(null) instanceof BackendReview.OrphanedDigest found && !beingDeleted(found.state(), now)) {
                orphaned++;
                raised += sink.raise(alerts.orphanedDigest(found.state(), found.digest(), now,
                        orphanIdentity(found.state(), found.digest()))) ? 1 : 0;
            }
        }
        return new Summary(held.locks().size(), stale.size(), held.digests().size(), orphaned, raised);
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

package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.rules.StaleLocks;
import java.time.Instant;

/** The sweep's stale locks: each lock held past its threshold is alerted, then reminded, unless acknowledged. */
public record StaleLockAlerts(BackendReview review, StaleLocks rules, HistoryStore history, AlertRaiser alerts) {

    /** How many locks were stale, and how many alerts were raised now. */
    public record Raised(int stale, int raised) {
    }

    public Raised raise(HeldLocks held, Instant now) {
        int stale = 0;
        int raised = 0;
        for (BackendReview.StaleLock found : review.staleLocks(held, now)) {
            stale++;
            HeldLocks.Lock lock = found.lock();
            if (acknowledged(lock, now)) {
                continue;
            }
            long number = rules.alertNumber(lock.state(), lock.created(), now);
            raised += Sweep.raise(() -> alerts.staleLock(lock.created(), lock.info().id(), number,
                    alerts.words().staleLock(lock.state(), lock.info(), found.heldForSeconds(), found.threshold(),
                            number > 0))) ? 1 : 0;
        }
        return new Raised(stale, raised);
    }

    /** Whether someone said this lock is held on purpose (bin/lock-auditor ack), and that still lasts. */
    private boolean acknowledged(HeldLocks.Lock lock, Instant now) {
        return history.read(HistoryQuery.of(lock.state().path()).kinds(EventType.LOCK_ACKNOWLEDGED)
                        .since(lock.created()).newestFirst().limit(20)).stream()
                .map(HistoryEvent::facts)
                .anyMatch(facts -> facts instanceof Facts.LockAcknowledged ack && ack.lockId().equals(lock.info().id())
                        && ack.lastsAt(now));
    }
}

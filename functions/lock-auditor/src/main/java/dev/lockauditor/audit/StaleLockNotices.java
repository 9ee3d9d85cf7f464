package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.StaleLocks;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;

/**
 * The notice that a lock alerted as stale was released: raised once when its release is seen, from the lock table,
 * the lock file or the sweep, whichever comes first.
 */
public record StaleLockNotices(HistoryStore history, AlertRaiser alerts, StaleLocks rules) {

    /**
     * A lock was released: if it was alerted as stale, say that it is cleared. Only a lock held past its stale
     * threshold can have been alerted, so only its release costs a history read.
     */
    public void released(StatePath state, Facts.Lock lock, Instant releasedAt, String sourceId) {
        if (lock == null || lock.created() == null || !rules.isStale(state, lock.created(), releasedAt)) {
            return;
        }
        boolean alerted = history.read(HistoryQuery.of(state.path()).kinds(AlertType.STALE_LOCK).newestFirst().limit(100))
                .stream().map(HistoryEvent::facts)
                .anyMatch(facts -> facts instanceof Facts.AlertRaised alert && lock.id().equals(alert.lockId()));
        if (alerted) {
            alerts.staleLockCleared(lock, sourceId, alerts.words().staleLockCleared(state, lock.toLockInfo(state.path()),
                    lock.heldForSecondsAt(releasedAt)));
        }
    }
}

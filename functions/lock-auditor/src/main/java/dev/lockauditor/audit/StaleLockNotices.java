package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Instant;

/**
 * The stale-lock alerts' identities, and the notice that a lock alerted as stale was released: raised once
 * when its release is seen, from the lock table or the lock file, whichever comes first.
 */
public final class StaleLockNotices {

    private final HistoryStore history;
    private final AlertSink sink;
    private final Alerts alerts;
    private final StaleLocks rules;
    private final Clock clock;

    public StaleLockNotices(HistoryStore history, AlertSink sink, Alerts alerts, StaleLocks rules, Clock clock) {
        this.history = history;
        this.sink = sink;
        this.alerts = alerts;
        this.rules = rules;
        this.clock = clock;
    }

    /**
     * A stale lock's alert number {@code n} (0, then a reminder every interval): the same lock and number is the
     * same alert, whichever sweep finds it and whichever kind of lock (item or lock file) it is seen as.
     */
    static Alert.Identity staleIdentity(Instant created, String lockId, long alertNumber) {
        return new Alert.Identity(created, Source.LOCK, alertNumber == 0 ? lockId : lockId + "-" + alertNumber, "sweep");
    }

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
        if (!alerted) {
            return;
        }
        sink.raise(alerts.staleLockCleared(state, lock.toLockInfo(state.path()), lock.heldForSecondsAt(releasedAt),
                clock.instant(), new Alert.Identity(lock.created(), Source.LOCK, lock.id(), sourceId)));
    }
}

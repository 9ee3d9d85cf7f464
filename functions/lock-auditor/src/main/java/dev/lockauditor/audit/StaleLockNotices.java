package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.history.HistoryEntry;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The stale-lock alerts' identities, and the notice that a lock alerted as stale was released: raised once
 * when its release is seen, from the lock table or the lock file, whichever comes first.
 */
public final class StaleLockNotices {

    private static final Set<String> STALE = Set.of(AlertType.STALE_LOCK.name());

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
    public void released(StatePath state, Map<String, Object> lockFacts, Instant releasedAt, String sourceId) {
        Object lockId = lockFacts.get("lockId");
        Object createdText = lockFacts.get("created");
        if (lockId == null || createdText == null) {
            return;
        }
        Instant created;
        try {
            created = LockInfo.parseCreated(createdText.toString());
        } catch (MalformedException e) {
            return;
        }
        if (!rules.isStale(state, created, releasedAt)) {
            return;
        }
        boolean alerted = history.read(state.path(), null, null, true, STALE, 100).stream()
                .map(HistoryEntry::fields)
                .anyMatch(alert -> lockId.equals(alert.get("lockId")));
        if (!alerted) {
            return;
        }
        LockInfo lock = new LockInfo(lockId.toString(), text(lockFacts, "operation"), text(lockFacts, "info"),
                text(lockFacts, "who"), text(lockFacts, "version"), text(lockFacts, "created"), state.path());
        long heldFor = Math.max(0, Duration.between(created, releasedAt).getSeconds());
        sink.raise(alerts.staleLockCleared(state, lock, heldFor, clock.instant(),
                new Alert.Identity(created, Source.LOCK, lock.id(), sourceId)));
    }

    private static String text(Map<String, Object> facts, String name) {
        Object value = facts.get(name);
        return value == null ? "" : value.toString();
    }
}

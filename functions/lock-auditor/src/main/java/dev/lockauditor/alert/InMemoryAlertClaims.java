package dev.lockauditor.alert;

import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Alert claims in the history held in memory (SnapStart priming, tests), with the history table's rules. */
public final class InMemoryAlertClaims implements AlertClaims {

    private final InMemoryHistoryStore history;
    /** Alerts claimed and not yet marked raised, with when their claim expires. */
    private final Map<String, Instant> pending = new HashMap<>();

    public InMemoryAlertClaims(InMemoryHistoryStore history) {
        this.history = history;
    }

    @Override
    public synchronized Claim claim(HistoryEvent alert, Instant now, Instant pendingUntil) {
        if (history.contains(alert)) {
            Instant until = pending.get(id(alert));
            if (until == null) {
                return Claim.RAISED;
            }
            if (!until.isBefore(now)) {
                return Claim.IN_FLIGHT;
            }
        }
        history.put(alert);
        pending.put(id(alert), pendingUntil);
        return Claim.CLAIMED;
    }

    @Override
    public synchronized void markRaised(HistoryEvent alert) {
        pending.remove(id(alert));
    }

    @Override
    public synchronized void release(HistoryEvent alert) {
        pending.remove(id(alert));
        history.remove(alert);
    }

    private static String id(HistoryEvent entry) {
        return entry.state().path() + "\n" + entry.eventKey();
    }
}

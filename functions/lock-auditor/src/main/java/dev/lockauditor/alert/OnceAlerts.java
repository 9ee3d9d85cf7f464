package dev.lockauditor.alert;

import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;

/**
 * Raises each alert once: the alert is first recorded in its state's history under its identity, with a
 * write that succeeds only if it is not there yet, and published only then. If publishing fails, the record
 * is taken back so that a retry can raise it.
 */
public final class OnceAlerts implements AlertSink {

    private final HistoryStore history;
    private final AlertPublisher publisher;

    public OnceAlerts(HistoryStore history, AlertPublisher publisher) {
        this.history = history;
        this.publisher = publisher;
    }

    @Override
    public boolean raise(Alert alert) {
        HistoryEvent entry = alert.toHistoryEvent();
        if (!history.recordOnce(entry)) {
            return false;
        }
        try {
            publisher.publish(alert);
            return true;
        } catch (RuntimeException e) {
            history.forget(entry);
            throw e;
        }
    }
}

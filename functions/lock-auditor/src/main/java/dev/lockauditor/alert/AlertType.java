package dev.lockauditor.alert;

import dev.lockauditor.history.HistoryKind;

/** The alerts the auditor raises, each with its severity. */
public enum AlertType implements HistoryKind {
    STALE_LOCK(Severity.WARNING),
    STALE_LOCK_CLEARED(Severity.INFO),
    DIGEST_MISMATCH(Severity.CRITICAL),
    ORPHANED_DIGEST(Severity.HIGH),
    UNLOCKED_WRITE(Severity.HIGH),
    SERIAL_REGRESSION(Severity.HIGH),
    LINEAGE_CHANGED(Severity.HIGH),
    STATE_DELETED(Severity.CRITICAL),
    WORKSPACE_DELETED(Severity.WARNING),
    STALE_DIGEST(Severity.WARNING),
    SERIAL_CONFLICT(Severity.HIGH);

    private final Severity severity;

    AlertType(Severity severity) {
        this.severity = severity;
    }

    public Severity severity() {
        return severity;
    }
}

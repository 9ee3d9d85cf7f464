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
    SERIAL_CONFLICT(Severity.HIGH),
    /** A lock released by another principal (or from another source) than the one that took it (CloudTrail). */
    LOCK_FORCE_RELEASED(Severity.WARNING),
    /** A lock item deleted by the lock table's own time to live, not by Terraform. */
    LOCK_REMOVED_BY_TTL(Severity.WARNING),
    /** Who made a change an earlier alert was about, once its CloudTrail record came. */
    CALLER_IDENTIFIED(Severity.INFO),
    /** What was written at a state's key is not a state Terraform or OpenTofu would load. */
    STATE_UNREADABLE(Severity.CRITICAL),
    /** A backfill from the bucket's versions finished: what it recorded and the past anomalies it found. */
    BACKFILL_COMPLETED(Severity.INFO);

    private final Severity severity;

    AlertType(Severity severity) {
        this.severity = severity;
    }

    public Severity severity() {
        return severity;
    }
}

package dev.lockauditor.history;

/** The kinds of history events; alerts raised are recorded under their alert type. */
public enum EventType implements HistoryKind {
    LOCK_ACQUIRED,
    LOCK_RELEASED,
    STATE_WRITTEN,
    STATE_DELETED,
    DIGEST_UPDATED,
    DIGEST_REMOVED,
    /** A person said a lock is held on purpose (bin/lock-auditor ack): no stale-lock alert for it while it lasts. */
    LOCK_ACKNOWLEDGED
}

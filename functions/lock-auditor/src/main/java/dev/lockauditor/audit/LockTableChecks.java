package dev.lockauditor.audit;

import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;

/**
 * What a change recorded from the lock table asks to be checked, once it is in history: a changed digest against
 * its state object, and a released lock against the stale-lock alerts raised for it.
 */
public final class LockTableChecks {

    private final DigestVerifier digests;
    private final StaleLockNotices staleLocks;

    public LockTableChecks(DigestVerifier digests, StaleLockNotices staleLocks) {
        this.digests = digests;
        this.staleLocks = staleLocks;
    }

    public void after(HistoryEvent recorded) {
        if (recorded.facts() instanceof Facts.DigestUpdated updated) {
            digests.afterDigestChange(recorded.state(), recorded.at(), recorded.sourceId(), updated.digest());
        } else if (recorded.facts() instanceof Facts.LockReleased released) {
            staleLocks.released(recorded.state(), released.lock(), recorded.at(), recorded.sourceId());
        }
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import java.time.Clock;

/**
 * What a change recorded from the lock table asks to be checked, once it is in history: a changed digest against
 * its state object; a released lock against the stale-lock alerts raised for it, against the caller that took it
 * (a forced release), and whether the table's own time to live removed it.
 */
public final class LockTableChecks {

    private final DigestVerifier digests;
    private final StaleLockNotices staleLocks;
    private final CallerJoin callers;
    private final AlertSink sink;
    private final Alerts alerts;
    private final Clock clock;

    public LockTableChecks(DigestVerifier digests, StaleLockNotices staleLocks, CallerJoin callers, AlertSink sink,
                           Alerts alerts, Clock clock) {
        this.digests = digests;
        this.staleLocks = staleLocks;
        this.callers = callers;
        this.sink = sink;
        this.alerts = alerts;
        this.clock = clock;
    }

    public void after(HistoryEvent recorded) {
        if (recorded.facts() instanceof Facts.DigestUpdated updated) {
            digests.afterDigestChange(recorded.state(), recorded.at(), recorded.sourceId(), updated.digest(),
                    recorded.caller());
        } else if (recorded.facts() instanceof Facts.LockReleased released) {
            if (Facts.Caller.TABLE_TTL.equals(recorded.caller())) {
                sink.raise(alerts.lockRemovedByTtl(recorded.state(), released.lock(), released.heldForSeconds(),
                        clock.instant(), new Alert.Identity(recorded.at(), recorded.source(), recorded.position(),
                                recorded.sourceId())));
            }
            staleLocks.released(recorded.state(), released.lock(), recorded.at(), recorded.sourceId());
        }
        callers.recorded(recorded);
    }
}

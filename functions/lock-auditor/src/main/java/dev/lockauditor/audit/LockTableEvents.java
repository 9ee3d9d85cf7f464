package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.events.LockTableChange;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.LockTableChanges;
import dev.lockauditor.terraform.StateKeys;
import java.util.ArrayList;
import java.util.List;

/**
 * One change of the lock table, as its stream tells it: what it means ({@link LockTableChanges}), recorded with its
 * caller when CloudTrail's record of it came first, kept in the locks held ({@link LockIndex}), then checked: a
 * changed digest against its state object, a released lock against the stale-lock alerts raised for it, against the
 * caller that took it (a forced release), and whether the table's own time to live removed it.
 */
public record LockTableEvents(LockTableChanges meaning, HistoryStore history, LockIndex index, CallerJoin callers,
                              DigestVerifier digests, StaleLockNotices staleLocks, AlertRaiser alerts) {

    /**
     * @throws HistoryStore.WriteFailure when history could not be written (a retry can)
     * @throws RuntimeException          when a caller could not be looked up or a check could not be made (a retry can)
     */
    public Outcome changed(LockTableChange change) throws HistoryStore.WriteFailure {
        LockTableChanges.Outcome outcome;
        try {
            outcome = meaning.audit(change);
        } catch (RuntimeException e) {
            return new Outcome.Skipped("could not be read (" + e.getClass().getSimpleName() + ")");
        }
        if (outcome instanceof LockTableChanges.Skipped skipped) {
            return new Outcome.Skipped(skipped.reason());
        }
        List<HistoryEvent> events = new ArrayList<>();
        for (HistoryEvent event : ((LockTableChanges.Recorded) outcome).events()) {
            events.add(withCaller(event));
        }
        List<HistoryEvent> recorded = history.write(events);
        index.recorded(events);
        events.forEach(this::check);
        return Outcome.Recorded.decided(recorded);
    }

    /** A lock table change with its caller, when CloudTrail's record of it came first. */
    private HistoryEvent withCaller(HistoryEvent event) {
        if (event.caller() != null) {
            return event;
        }
        boolean digest = event.facts() instanceof Facts.DigestUpdated || event.facts() instanceof Facts.DigestRemoved;
        boolean deleted = event.facts() instanceof Facts.LockReleased || event.facts() instanceof Facts.DigestRemoved;
        String lockId = digest ? StateKeys.digestLockId(event.state().path()) : event.state().path();
        return callers.ofItem(lockId, deleted, event.at()).map(event::withCaller).orElse(event);
    }

    private void check(HistoryEvent recorded) {
        if (recorded.facts() instanceof Facts.DigestUpdated updated) {
            digests.afterDigestChange(recorded.state(), recorded.at(), recorded.sourceId(), updated.digest(),
                    recorded.caller());
        } else if (recorded.facts() instanceof Facts.LockReleased released) {
            if (Facts.Caller.TABLE_TTL.equals(recorded.caller())) {
                alerts.about(recorded, alerts.words().lockRemovedByTtl(recorded.state(), released.lock(),
                        released.heldForSeconds()));
            }
            staleLocks.released(recorded.state(), released.lock(), recorded.at(), recorded.sourceId());
        }
        callers.recorded(recorded);
    }
}

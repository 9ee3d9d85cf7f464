package dev.lockauditor.audit;

import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Locks held now against the locks their events told of: an acquisition never recorded is recorded (once its events
 * can no longer be on the way), and a lock gone whose release was never seen is released, at the sweep that first
 * found it gone, and its stale-lock alert cleared.
 */
public record LockReconciliation(LockHistoryProgress progress, HistoryStore history, Bookkeeping bookkeeping,
                                 StaleLockNotices notices, AuditSettings settings) {

    /** @return how many entries it recorded */
    public int reconcile(List<Bookkeeping.HeldLock> indexed, HeldLocks held, Instant now)
            throws HistoryStore.WriteFailure {
        int recorded = 0;
        Map<String, Bookkeeping.HeldLock> byKind = new LinkedHashMap<>();
        indexed.forEach(entry -> byKind.put(entry.kind() + "#" + entry.state().path(), entry));
        for (HeldLocks.Lock lock : held.locks().values()) {
            for (Source kind : lock.kinds()) {
                Bookkeeping.HeldLock entry = byKind.get(kind + "#" + lock.state().path());
                if (entry != null && entry.lock().id().equals(lock.info().id()) || !eventsDone(kind, lock.created(), now)) {
                    continue;
                }
                Facts.Lock facts = Facts.Lock.of(lock.info());
                if (!seen(lock.state(), EventType.LOCK_ACQUIRED, kind, facts.id())) {
                    HistoryEvent acquired = new HistoryEvent(lock.state(), lock.created(), kind, Sweep.SWEEP,
                            "sweep-acquired-" + facts.id(), "0", new Facts.LockAcquired(facts, null));
                    recorded += history.write(List.of(acquired)).size();
                }
                bookkeeping.held(new Bookkeeping.HeldLock(kind, lock.state(), facts, null));
            }
        }
        for (Bookkeeping.HeldLock entry : indexed) {
            HeldLocks.Lock stillHeld = held.locks().get(entry.lock().id());
            if (stillHeld != null && stillHeld.kinds().contains(entry.kind())) {
                continue;
            }
            if (entry.missingSince() == null) {
                bookkeeping.held(new Bookkeeping.HeldLock(entry.kind(), entry.state(), entry.lock(), now));
                continue;
            }
            if (!eventsDone(entry.kind(), entry.missingSince(), now)) {
                continue;
            }
            if (!seen(entry.state(), EventType.LOCK_RELEASED, entry.kind(), entry.lock().id())) {
                HistoryEvent released = new HistoryEvent(entry.state(), entry.missingSince(), entry.kind(),
                        Sweep.SWEEP, "sweep-released-" + entry.lock().id(), "0",
                        new Facts.LockReleased(entry.lock(), entry.lock().heldForSecondsAt(entry.missingSince()), null));
                recorded += history.write(List.of(released)).size();
                notices.released(entry.state(), entry.lock(), entry.missingSince(), Sweep.SWEEP);
            }
            bookkeeping.released(entry.kind(), entry.state(), entry.lock().id());
        }
        return recorded;
    }

    /** Whether the events of a lock change at {@code at} of this kind can no longer be on the way. */
    private boolean eventsDone(Source kind, Instant at, Instant now) {
        if (kind == Source.DYNAMODB) {
            return progress.completeThrough(at);
        }
        return !now.isBefore(at.plus(settings.lockEventLag()));
    }

    /** Whether history holds this lock's acquisition (or release), as seen from this kind of lock. */
    private boolean seen(StatePath state, EventType type, Source kind, String lockId) {
        return history.read(HistoryQuery.of(state.path()).kinds(type).newestFirst().limit(50)).stream()
                .anyMatch(entry -> entry.source() == kind && Facts.lockOf(entry.facts()) != null
                        && lockId.equals(Facts.lockOf(entry.facts()).id()));
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The scheduled sweep: every lock held now (lock table items and {@code .tflock} files, one lock when Terraform
 * holds both) is checked against its stale threshold, and every digest item against its state object. It only reads
 * the backend.
 *
 * <p>Its cost follows the locks, not the bucket: the lock files held are known from their events (kept by
 * {@link LockIndex}), and each is read to see that it is still there; the bucket is listed in full only as a safety
 * net ({@link FullListing}). It also reconciles what the backend holds with what history says, for events that were
 * lost ({@link LockReconciliation}).
 */
public record Sweep(Bookkeeping bookkeeping, LockTable locks, FullListing listing, LockReconciliation reconciliation,
                    StaleLockAlerts staleLocks, OrphanedDigests orphans, Clock clock) {

    /** What one sweep found. */
    public record Summary(int locks, int staleLocks, int digests, int orphanedDigests, int alertsRaised, int reconciled) {
    }

    /** The position and source id prefix of what the sweep records. */
    static final String SWEEP = "sweep";

    public Summary sweep() throws HistoryStore.WriteFailure {
        Instant now = clock.instant();
        List<Bookkeeping.HeldLock> indexed = bookkeeping.heldLocks();
        FullListing.Found found = listing.lockFiles(indexed, now);
        HeldLocks held = HeldLocks.of(locks.scan(), found.lockFiles());
        int reconciled = found.recorded() + reconciliation.reconcile(indexed, held, now);
        StaleLockAlerts.Raised stale = staleLocks.raise(held, now);
        int orphaned = 0;
        int raised = stale.raised();
        for (Map.Entry<StatePath, String> digest : held.digests().entrySet()) {
            OrphanedDigests.Swept swept = orphans.swept(digest.getKey(), digest.getValue());
            orphaned += swept.orphaned() ? 1 : 0;
            raised += swept.raised() ? 1 : 0;
        }
        return new Summary(held.locks().size(), stale.stale(), held.digests().size(), orphaned, raised, reconciled);
    }

    /**
     * Raises an alert the sweep found. One another sweep is publishing right now (or was, and crashed) is left to it:
     * the next sweep finds the same alert, and raises it if that claim expired unpublished.
     */
    static boolean raise(Supplier<Boolean> alert) {
        try {
            return alert.get();
        } catch (OnceAlerts.InFlight elsewhere) {
            return false;
        }
    }
}

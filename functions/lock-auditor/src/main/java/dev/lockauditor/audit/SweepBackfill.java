package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The deployed stack's backfill: after {@code sam deploy}, each sweep reconstructs some of the history the bucket's
 * versions hold ({@link Backfill}), as long as its budget lasts, and the next one resumes where it stopped (the cursor
 * is kept in the auditor's bookkeeping). When the listing is done, one {@code BACKFILL_COMPLETED} notice says what was
 * found; it runs once per stack.
 *
 * @param window how far back it reconstructs: the history's retention, since older entries would expire at once
 */
public record SweepBackfill(Backfill backfill, Bookkeeping bookkeeping, AlertRaiser alerts, Duration window,
                            Clock clock) {

    /** What one sweep's share did, or empty when the backfill was done before (or no state bucket is watched). */
    public Optional<Backfill.Step> run(BooleanSupplier spent) throws HistoryStore.WriteFailure {
        if (backfill.bucket().name().isEmpty()) {
            return Optional.empty();
        }
        Optional<Bookkeeping.Backfill> kept = bookkeeping.backfill();
        if (kept.isPresent() && kept.get().completedAt() != null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Bookkeeping.Backfill from = kept.orElse(new Bookkeeping.Backfill(null, null, now.minus(window), now, null,
                Bookkeeping.BackfillCounts.NONE));
        Backfill.Step step = backfill.step(from, spent);
        if (step.done()) {
            Bookkeeping.BackfillCounts counts = step.next().counts();
            // Raised before the backfill is marked done: if it cannot be raised now, the next sweep raises it.
            Sweep.raise(() -> alerts.backfillCompleted(backfill.bucket().name(), from.startedAt(),
                    alerts.words().backfillCompleted(backfill.bucket().name(), from.since(), counts.versionsRead(),
                            counts.states(), counts.stateWrites(), counts.lockSessions(), counts.findings())));
            bookkeeping.backfill(new Bookkeeping.Backfill(null, null, from.since(), from.startedAt(), now, counts));
        } else {
            bookkeeping.backfill(step.next());
        }
        return Optional.of(step);
    }
}

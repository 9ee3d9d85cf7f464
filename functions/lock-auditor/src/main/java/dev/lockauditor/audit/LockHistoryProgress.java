package dev.lockauditor.audit;

import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.backend.LockStream;
import dev.lockauditor.history.Bookkeeping;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the lock history is complete up to a time: the rule that decides when "no lock table lock covered this"
 * can be said. It is, once the lock table's stream has been recorded past that time (its watermark, which the lock
 * events function keeps in the history table), or once the stream holds nothing its processing has not recorded (a
 * quiet lock table has no record after the time to carry the watermark past it). A fixed wait decides nothing: a
 * stream that lags by minutes keeps the decision waiting for minutes.
 *
 * <p>Until the first change of the lock table has been recorded there is no watermark, and with no stream to read
 * (no {@code LOCK_TABLE_STREAM_ARN}) there is no probe: then the lag ({@code LOCK_EVENT_LAG_SECONDS}) alone decides,
 * as it always does for the lock files' own events, which come with the state's.
 */
public record LockHistoryProgress(boolean lockTable, Bookkeeping bookkeeping, LockStream stream) {

    public boolean watchesLockTable() {
        return lockTable;
    }

    /** Whether every change the lock table made up to {@code at} is in history. */
    public boolean completeThrough(Instant at) {
        if (!lockTable) {
            return true;
        }
        Optional<Bookkeeping.StreamPosition> recorded = bookkeeping.lockStreamRecorded();
        if (recorded.isEmpty()) {
            return true;
        }
        if (!recorded.get().at().isBefore(at.plus(LockCoverage.SKEW))) {
            return true;
        }
        return !stream.holdsChangesAfter(recorded.get().sequenceNumber()).orElse(false);
    }
}

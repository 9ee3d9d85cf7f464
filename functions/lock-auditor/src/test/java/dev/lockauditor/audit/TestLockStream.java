package dev.lockauditor.audit;

import dev.lockauditor.backend.LockStream;
import java.util.Optional;

/** The lock table's stream as a test sets it: holding changes its processing has not recorded, or not. */
public final class TestLockStream implements LockStream {

    /** Whether the stream holds changes not recorded yet: its processing lags. */
    public volatile boolean lagging;
    public int reads;

    @Override
    public Optional<Boolean> holdsChangesAfter(String sequenceNumber) {
        reads++;
        return Optional.of(lagging);
    }
}

package dev.lockauditor.backend;

import java.util.Optional;

/** The lock table's stream, read only: whether it holds changes that history has not recorded yet. */
public interface LockStream {

    /**
     * Whether the stream holds a change after {@code sequenceNumber} (a record its processing has not recorded),
     * or empty when that cannot be told here (no stream to read).
     */
    Optional<Boolean> holdsChangesAfter(String sequenceNumber);

    /** No stream to read: whether its processing is behind cannot be told. */
    LockStream UNKNOWN = sequenceNumber -> Optional.empty();
}

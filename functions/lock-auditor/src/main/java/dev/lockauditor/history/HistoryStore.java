package dev.lockauditor.history;

import java.time.Instant;
import java.util.List;

/** Where history is kept. */
public interface HistoryStore {

    /**
     * Writes events in order. Writing an event that is already there changes nothing.
     *
     * @return the events written now for the first time: an event delivered again, retried or brought back is not
     *         among them, so that whatever counts or prints history counts and prints each event once
     * @throws WriteFailure when some events could not be written; a retry of the same events can succeed
     */
    List<HistoryEvent> write(List<HistoryEvent> events) throws WriteFailure;

    /**
     * Writes an entry that is there again, as it is now (its request's caller known, its release found forced);
     * an entry that is not there is left alone.
     */
    void replace(HistoryEvent entry);

    /** Reads the entries of a state's history that the query asks for, in its order. */
    List<HistoryEvent> read(HistoryQuery query);

    /** Some events were not written: those from {@code firstUnwritten} on may be missing. */
    final class WriteFailure extends Exception {
        private final int firstUnwritten;
        private final List<HistoryEvent> newlyWritten;

        public WriteFailure(int firstUnwritten, List<HistoryEvent> newlyWritten, Throwable cause) {
            super("history write failed from event " + firstUnwritten + ": " + cause.getMessage(), cause);
            this.firstUnwritten = firstUnwritten;
            this.newlyWritten = List.copyOf(newlyWritten);
        }

        public int firstUnwritten() {
            return firstUnwritten;
        }

        /** Those of the events before {@link #firstUnwritten} that were written for the first time. */
        public List<HistoryEvent> newlyWritten() {
            return newlyWritten;
        }
    }
}

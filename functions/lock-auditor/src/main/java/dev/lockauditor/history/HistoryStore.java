package dev.lockauditor.history;

import java.util.List;

/** Where history is kept. */
public interface HistoryStore {

    /**
     * Writes events in order. Writing an event that is already there changes nothing.
     *
     * @throws WriteFailure when some events could not be written; a retry of the same events can succeed
     */
    void write(List<HistoryEvent> events) throws WriteFailure;

    /** Writes an entry only if no entry has its key yet; returns whether it wrote it. */
    boolean recordOnce(HistoryEvent entry);

    /** Removes an entry. */
    void forget(HistoryEvent entry);

    /** Reads the entries of a state's history that the query asks for, in its order. */
    List<HistoryEvent> read(HistoryQuery query);

    /** Some events were not written: those from {@code firstUnwritten} on may be missing. */
    final class WriteFailure extends Exception {
        private final int firstUnwritten;

        public WriteFailure(int firstUnwritten, Throwable cause) {
            super("history write failed from event " + firstUnwritten + ": " + cause.getMessage(), cause);
            this.firstUnwritten = firstUnwritten;
        }

        public int firstUnwritten() {
            return firstUnwritten;
        }
    }
}

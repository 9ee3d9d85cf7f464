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

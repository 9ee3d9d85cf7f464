package dev.lockauditor.history;

import java.util.List;
import java.util.Set;

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

    /**
     * Reads a state's entries of the given kinds whose keys lie between two keys (both exclusive), oldest or
     * newest first, at most {@code limit} of them.
     */
    List<HistoryEntry> read(String statePath, String afterKey, String beforeKey, boolean newestFirst,
                            Set<String> kinds, int limit);

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

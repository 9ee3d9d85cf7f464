package dev.lockauditor.cli;

import dev.lockauditor.history.HistoryEntry;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import java.util.List;
import java.util.Set;

/** History through another store; each event written is then printed as a {@code history} line. */
final class PrintingHistoryStore implements HistoryStore {

    private final HistoryStore delegate;
    private final Lines lines;

    PrintingHistoryStore(HistoryStore delegate, Lines lines) {
        this.delegate = delegate;
        this.lines = lines;
    }

    @Override
    public void write(List<HistoryEvent> events) throws WriteFailure {
        try {
            delegate.write(events);
            print(events);
        } catch (WriteFailure failure) {
            print(events.subList(0, failure.firstUnwritten()));
            throw failure;
        }
    }

    @Override
    public boolean recordOnce(HistoryEvent entry) {
        return delegate.recordOnce(entry);
    }

    @Override
    public void forget(HistoryEvent entry) {
        delegate.forget(entry);
    }

    @Override
    public List<HistoryEntry> read(String statePath, String afterKey, String beforeKey, boolean newestFirst,
                                   Set<String> kinds, int limit) {
        return delegate.read(statePath, afterKey, beforeKey, newestFirst, kinds, limit);
    }

    private void print(List<HistoryEvent> events) {
        events.forEach(event -> lines.print("history", event.fields()));
    }
}

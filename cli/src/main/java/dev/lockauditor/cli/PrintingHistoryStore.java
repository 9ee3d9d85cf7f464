package dev.lockauditor.cli;

import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import java.util.List;

/** Writes history through another store, then prints each event written as a {@code history} line. */
final class PrintingHistoryStore implements HistoryStore {

    private final HistoryStore delegate;
    private final JsonLines lines;

    PrintingHistoryStore(HistoryStore delegate, JsonLines lines) {
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

    private void print(List<HistoryEvent> events) {
        events.forEach(event -> lines.print("history", event.fields()));
    }
}

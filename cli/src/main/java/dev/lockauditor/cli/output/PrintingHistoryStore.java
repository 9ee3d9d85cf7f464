package dev.lockauditor.cli.output;

import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * History through another store; each event written is then printed as a {@code history} line, once: an event
 * written again (redelivered, retried, or brought back to decide a check later) changes nothing in the store, and
 * prints nothing either.
 */
public final class PrintingHistoryStore implements HistoryStore {

    /** How many recent entries are remembered as printed; far more than are ever written again. */
    private static final int REMEMBERED = 100_000;

    private final HistoryStore delegate;
    private final Lines lines;
    private final Map<String, Boolean> printed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    public PrintingHistoryStore(HistoryStore delegate, Lines lines) {
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
    public List<HistoryEvent> read(HistoryQuery query) {
        return delegate.read(query);
    }

    private void print(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            boolean first;
            synchronized (printed) {
                first = printed.put(event.state().path() + "\n" + event.eventKey(), Boolean.TRUE) == null;
            }
            if (first) {
                lines.print("history", event.fields());
            }
        }
    }
}

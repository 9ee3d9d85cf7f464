package dev.lockauditor.cli.output;

import dev.lockauditor.config.Environments;
import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * History through another store; each event written for the first time is then printed as a {@code history} line:
 * an event written again (redelivered, retried, or brought back to decide a check later) changes nothing in the
 * store, and prints nothing either. The store decides what is new, so a line is printed once however often the
 * runner is restarted or a write is retried.
 */
public final class PrintingHistoryStore implements HistoryStore {

    private final HistoryStore delegate;
    private final Lines lines;
    private final Environments environments;

    /** @param environments the environment each line names, as the history table stores it */
    public PrintingHistoryStore(HistoryStore delegate, Lines lines, Environments environments) {
        this.delegate = delegate;
        this.lines = lines;
        this.environments = environments;
    }

    @Override
    public List<HistoryEvent> write(List<HistoryEvent> events) throws WriteFailure {
        try {
            return print(delegate.write(events));
        } catch (WriteFailure failure) {
            print(failure.newlyWritten());
            throw failure;
        }
    }

    @Override
    public void replace(HistoryEvent entry) {
        delegate.replace(entry);
    }

    @Override
    public List<HistoryEvent> read(HistoryQuery query) {
        return delegate.read(query);
    }

    private List<HistoryEvent> print(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            Map<String, Object> fields = new LinkedHashMap<>(event.fields());
            fields.put(HistoryAttributes.ENVIRONMENT, environments.of(event.state()));
            lines.print("history", fields);
        }
        return events;
    }
}

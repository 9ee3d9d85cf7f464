package dev.lockauditor.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** History held in memory, with the same keys and reads as the history table (SnapStart priming, tests). */
public class InMemoryHistoryStore implements HistoryStore {

    private final Map<String, NavigableMap<String, HistoryEvent>> states = new HashMap<>();

    @Override
    public synchronized List<HistoryEvent> write(List<HistoryEvent> events) throws WriteFailure {
        List<HistoryEvent> written = new ArrayList<>();
        for (HistoryEvent event : events) {
            if (entries(event).putIfAbsent(event.eventKey(), event) == null) {
                written.add(event);
            }
        }
        return written;
    }

    @Override
    public synchronized void replace(HistoryEvent entry) {
        entries(entry).computeIfPresent(entry.eventKey(), (key, old) -> entry);
    }

    /** Whether the entry is there (an alert claimed or raised). */
    public synchronized boolean contains(HistoryEvent entry) {
        return entries(entry).containsKey(entry.eventKey());
    }

    /** Puts the entry there, as it is. */
    public synchronized void put(HistoryEvent entry) {
        entries(entry).put(entry.eventKey(), entry);
    }

    /** Takes the entry away. */
    public synchronized void remove(HistoryEvent entry) {
        entries(entry).remove(entry.eventKey());
    }

    /** Reads as the history table does: each entry comes back from the fields it is stored as. */
    @Override
    public synchronized List<HistoryEvent> read(HistoryQuery query) {
        NavigableMap<String, HistoryEvent> range = states.getOrDefault(query.statePath(), new TreeMap<>());
        if (query.afterKey() != null) {
            range = range.tailMap(query.afterKey(), false);
        }
        if (query.beforeKey() != null) {
            range = range.headMap(query.beforeKey(), false);
        }
        List<HistoryEvent> found = new ArrayList<>();
        for (HistoryEvent event : (query.descending() ? range.descendingMap() : range).values()) {
            if (query.wants(event.type().name())) {
                found.add(HistoryCodec.event(event.fields()));
                if (found.size() == query.limit()) {
                    break;
                }
            }
        }
        return found;
    }

    /** A state's history, oldest first. */
    public synchronized List<HistoryEvent> history(String statePath) {
        return List.copyOf(states.getOrDefault(statePath, new TreeMap<>()).values());
    }

    /** Every entry of every state. */
    public synchronized List<HistoryEvent> all() {
        return states.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    private NavigableMap<String, HistoryEvent> entries(HistoryEvent event) {
        return states.computeIfAbsent(event.state().path(), path -> new TreeMap<>());
    }
}

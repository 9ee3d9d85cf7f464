package dev.lockauditor.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/** History held in memory, with the same keys and reads as the history table (SnapStart priming, tests). */
public class InMemoryHistoryStore implements HistoryStore {

    private final Map<String, NavigableMap<String, HistoryEvent>> states = new HashMap<>();

    @Override
    public synchronized void write(List<HistoryEvent> events) throws WriteFailure {
        events.forEach(event -> entries(event).put(event.eventKey(), event));
    }

    @Override
    public synchronized boolean recordOnce(HistoryEvent entry) {
        return entries(entry).putIfAbsent(entry.eventKey(), entry) == null;
    }

    @Override
    public synchronized void forget(HistoryEvent entry) {
        entries(entry).remove(entry.eventKey());
    }

    @Override
    public synchronized List<HistoryEntry> read(String statePath, String afterKey, String beforeKey,
                                                boolean newestFirst, Set<String> kinds, int limit) {
        NavigableMap<String, HistoryEvent> range = states.getOrDefault(statePath, new TreeMap<>());
        if (afterKey != null) {
            range = range.tailMap(afterKey, false);
        }
        if (beforeKey != null) {
            range = range.headMap(beforeKey, false);
        }
        List<HistoryEntry> found = new ArrayList<>();
        for (HistoryEvent event : (newestFirst ? range.descendingMap() : range).values()) {
            if (kinds.contains(event.type().name())) {
                found.add(new HistoryEntry(event.fields()));
                if (found.size() == limit) {
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

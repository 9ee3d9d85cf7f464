package dev.lockauditor.history;

import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which entries of a state's history to read: of which kinds, between which keys (both exclusive), oldest or
 * newest first, at most how many. {@code HistoryQuery.of(path).kinds(STATE_WRITTEN).before(key).newestFirst().limit(1)}.
 *
 * @param kinds      null for every kind
 * @param descending newest first
 */
public record HistoryQuery(String statePath, Set<String> kinds, String afterKey, String beforeKey,
                           boolean descending, int limit) {

    public static HistoryQuery of(String statePath) {
        return new HistoryQuery(statePath, null, null, null, false, Integer.MAX_VALUE);
    }

    public HistoryQuery kinds(HistoryKind... kinds) {
        return new HistoryQuery(statePath, Arrays.stream(kinds).map(HistoryKind::name).collect(Collectors.toSet()),
                afterKey, beforeKey, descending, limit);
    }

    public HistoryQuery after(String key) {
        return new HistoryQuery(statePath, kinds, key, beforeKey, descending, limit);
    }

    public HistoryQuery before(String key) {
        return new HistoryQuery(statePath, kinds, afterKey, key, descending, limit);
    }

    /** Entries from {@code at} on. */
    public HistoryQuery since(Instant at) {
        return after(HistoryEvent.eventKeyAt(at));
    }

    public HistoryQuery newestFirst() {
        return new HistoryQuery(statePath, kinds, afterKey, beforeKey, true, limit);
    }

    public HistoryQuery limit(int limit) {
        return new HistoryQuery(statePath, kinds, afterKey, beforeKey, descending, limit);
    }

    /** Whether an entry of this kind is asked for. */
    public boolean wants(String kind) {
        return kinds == null || kinds.contains(kind);
    }
}

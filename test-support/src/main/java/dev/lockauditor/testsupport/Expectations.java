package dev.lockauditor.testsupport;

import dev.lockauditor.alert.AlertType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a day must leave behind, as its runs declare it while they run: each history entry (state, kind, and what
 * tells it from the state's other entries of that kind) and each alert, which is a history entry too. Compared at the
 * end with what the history table holds and what the alert topic delivered, as multisets.
 */
public final class Expectations {

    private final Map<String, Integer> history = new TreeMap<>();
    private final Map<String, Integer> alerts = new TreeMap<>();

    /** An entry of a state's history: its kind ({@code LOCK_ACQUIRED}, ...) and detail (lock id, serial, digest). */
    public synchronized void entry(String statePath, String kind, String detail) {
        history.merge(key(statePath, kind, detail), 1, Integer::sum);
    }

    /** An alert raised once, and kept in the state's history; {@code detail} is the lock's id for a lock's alerts. */
    public synchronized void alert(String statePath, AlertType type, String detail) {
        entry(statePath, type.name(), detail);
        alerts.merge(key(statePath, type.name(), detail), 1, Integer::sum);
    }

    public synchronized Map<String, Integer> history() {
        return new TreeMap<>(history);
    }

    public synchronized Map<String, Integer> alerts() {
        return new TreeMap<>(alerts);
    }

    /** How an entry or an alert is named for the comparison. */
    public static String key(String statePath, String kind, String detail) {
        return statePath + " " + kind + (detail == null || detail.isEmpty() ? "" : " " + detail);
    }

    /**
     * Expected against found: what is missing (lost), what is there more often than once per expected (doubled), and
     * what nobody expected (unexpected), each with a line per difference.
     */
    public record Comparison(int lost, int doubled, int unexpected, List<String> differences) {

        public static Comparison of(String what, Map<String, Integer> expected, Map<String, Integer> found) {
            int lost = 0;
            int doubled = 0;
            int unexpected = 0;
            List<String> differences = new ArrayList<>();
            Map<String, Integer> all = new TreeMap<>(expected);
            found.forEach((key, count) -> all.putIfAbsent(key, 0));
            for (String key : all.keySet()) {
                int want = expected.getOrDefault(key, 0);
                int got = found.getOrDefault(key, 0);
                if (got == want) {
                    continue;
                }
                if (want == 0) {
                    unexpected += got;
                    differences.add(what + " unexpected x" + got + ": " + key);
                } else if (got < want) {
                    lost += want - got;
                    differences.add(what + " lost " + (want - got) + " of " + want + ": " + key);
                } else {
                    doubled += got - want;
                    differences.add(what + " doubled (" + got + " for " + want + "): " + key);
                }
            }
            return new Comparison(lost, doubled, unexpected, differences);
        }
    }
}

package dev.lockauditor.testsupport;

import java.util.EnumMap;
import java.util.Map;

/** How many faults of each kind were injected. */
public final class FaultCounts {

    private final Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);

    public synchronized void add(FaultKind kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    public synchronized void addAll(FaultCounts other) {
        other.asMap().forEach((kind, count) -> counts.merge(kind, count, Integer::sum));
    }

    public synchronized int of(FaultKind kind) {
        return counts.getOrDefault(kind, 0);
    }

    public synchronized int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Every kind, in the enum's order, with its count (zero included). */
    public synchronized Map<FaultKind, Integer> asMap() {
        Map<FaultKind, Integer> all = new EnumMap<>(FaultKind.class);
        for (FaultKind kind : FaultKind.values()) {
            all.put(kind, counts.getOrDefault(kind, 0));
        }
        return all;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        asMap().forEach((kind, count) -> text.append(text.length() == 0 ? "" : ", ").append(kind.name().toLowerCase())
                .append(' ').append(count));
        return text.toString();
    }
}

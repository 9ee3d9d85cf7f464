package dev.lockauditor.config;

import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.util.ArrayList;
import java.util.List;

/**
 * Which environment a state belongs to: {@code ENVIRONMENTS} maps key patterns to environment names, first match
 * wins, e.g. {@code production=env:/prod/*,prod/*;staging=env:/staging/*} (entries separated by {@code ;}, an
 * entry's patterns by {@code ,}, patterns as {@link KeyPattern}); a state no pattern matches belongs to
 * {@code ENVIRONMENT_NAME}. One stack in an administrative account can so watch every environment's states, and each
 * alert, history entry and metric says which environment it is about.
 */
public final class Environments {

    private record Entry(String environment, KeyPattern pattern) {
    }

    private final String fallback;
    private final List<Entry> entries;

    private Environments(String fallback, List<Entry> entries) {
        this.fallback = fallback;
        this.entries = List.copyOf(entries);
    }

    /** Every state in one environment. */
    public static Environments only(String environment) {
        return new Environments(environment, List.of());
    }

    /**
     * @param mapping  {@code ENVIRONMENTS}, e.g. {@code production=env:/prod/*,prod/*;staging=env:/staging/*}
     * @param fallback {@code ENVIRONMENT_NAME}
     * @throws MalformedException when an entry is not {@code name=pattern[,pattern...]}
     */
    public static Environments of(String mapping, String fallback) throws MalformedException {
        List<Entry> entries = new ArrayList<>();
        if (mapping != null && !mapping.isBlank()) {
            for (String entry : mapping.split(";")) {
                if (entry.isBlank()) {
                    continue;
                }
                int equals = entry.indexOf('=');
                String name = equals < 0 ? "" : entry.substring(0, equals).trim();
                if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
                    throw new MalformedException("ENVIRONMENTS entry '" + entry.trim()
                            + "' is not name=pattern[,pattern...] (a name of letters, digits, '.', '_' or '-')");
                }
                for (String pattern : entry.substring(equals + 1).split(",", -1)) {
                    if (pattern.isBlank()) {
                        throw new MalformedException("ENVIRONMENTS entry '" + entry.trim() + "' has an empty pattern");
                    }
                    entries.add(new Entry(name, KeyPattern.of(pattern.trim())));
                }
            }
        }
        return new Environments(fallback, entries);
    }

    /** The environment of a state: the first entry with a pattern that matches it, else the default. */
    public String of(StatePath state) {
        for (Entry entry : entries) {
            if (entry.pattern().matches(state)) {
                return entry.environment();
            }
        }
        return fallback;
    }

    /** The environment of states no pattern matches ({@code ENVIRONMENT_NAME}). */
    public String fallback() {
        return fallback;
    }

    /** Every environment a state can be in: the mapping's, in order, then the default. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        entries.forEach(entry -> {
            if (!names.contains(entry.environment())) {
                names.add(entry.environment());
            }
        });
        if (!names.contains(fallback)) {
            names.add(fallback);
        }
        return names;
    }
}

package dev.lockauditor.rules;

import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import dev.lockauditor.config.Environments;
import dev.lockauditor.config.KeyPattern;

/**
 * What counts as a stale lock: one held longer than its state's threshold, counted from the lock info's
 * {@code Created} (the only start a lock taken before the auditor was deployed has). The threshold is
 * {@code STALE_LOCK_MINUTES}, or the first {@code STALE_LOCK_OVERRIDES} entry whose pattern matches the
 * state (or that names its environment), for states whose applies are long.
 */
public final class StaleLocks {

    /**
     * One override: a {@link KeyPattern} over the state key or the lock path, or (written
     * {@code environment:NAME}) every state of an environment ({@code ENVIRONMENTS}).
     */
    record Override(String pattern, KeyPattern glob, String environment, Duration threshold) {
    }

    static final String ENVIRONMENT = "environment:";

    private final Duration threshold;
    private final Duration reminderInterval;
    private final List<Override> overrides;
    private final Environments environments;

    public StaleLocks(Duration threshold, Duration reminderInterval, List<Override> overrides,
                      Environments environments) {
        this.threshold = threshold;
        this.reminderInterval = reminderInterval;
        this.overrides = List.copyOf(overrides);
        this.environments = environments;
    }

    /**
     * @param overrides {@code pattern=minutes} entries, comma-separated, e.g.
     *                  {@code env:/prod/*=180,legacy/*=600,environment:production=120}
     */
    public static StaleLocks of(int minutes, int reminderMinutes, String overrides, Environments environments)
            throws MalformedException {
        return new StaleLocks(Duration.ofMinutes(minutes), Duration.ofMinutes(reminderMinutes), parse(overrides),
                environments);
    }


    static List<Override> parse(String text) throws MalformedException {
        List<Override> overrides = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return overrides;
        }
        for (String entry : text.split(",")) {
            int equals = entry.lastIndexOf('=');
            if (equals <= 0) {
                throw new MalformedException("STALE_LOCK_OVERRIDES entry '" + entry.trim() + "' is not pattern=minutes");
            }
            String pattern = entry.substring(0, equals).trim();
            try {
                int minutes = Integer.parseInt(entry.substring(equals + 1).trim());
                if (minutes < 1) {
                    throw new NumberFormatException();
                }
                boolean byEnvironment = pattern.startsWith(ENVIRONMENT);
                overrides.add(new Override(pattern, byEnvironment ? null : KeyPattern.of(pattern),
                        byEnvironment ? pattern.substring(ENVIRONMENT.length()) : null, Duration.ofMinutes(minutes)));
            } catch (NumberFormatException e) {
                throw new MalformedException("STALE_LOCK_OVERRIDES entry '" + entry.trim()
                        + "' does not end in a whole number of minutes");
            }
        }
        return overrides;
    }

    /** The threshold for a state. */
    public Duration thresholdFor(StatePath state) {
        for (Override override : overrides) {
            boolean matches = override.environment() != null ? override.environment().equals(environments.of(state))
                    : override.glob().matches(state);
            if (matches) {
                return override.threshold();
            }
        }
        return threshold;
    }

    /** Whether a lock created at {@code created} on this state is stale at {@code now}. */
    public boolean isStale(StatePath state, Instant created, Instant now) {
        return !Duration.between(created, now).minus(thresholdFor(state)).isNegative();
    }

    /**
     * Which alert of a stale lock is due at {@code now}: 0 for the first, when it became stale, then 1, 2, ...
     * every reminder interval while it stays. The same number, whichever sweep asks, is the same alert.
     */
    public long alertNumber(StatePath state, Instant created, Instant now) {
        Instant staleSince = created.plus(thresholdFor(state));
        return Math.max(0, Duration.between(staleSince, now).toSeconds() / reminderInterval.toSeconds());
    }
}

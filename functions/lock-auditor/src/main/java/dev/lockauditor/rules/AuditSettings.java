package dev.lockauditor.rules;

import dev.lockauditor.config.Config;
import dev.lockauditor.terraform.StateKeys;
import java.time.Duration;
import java.util.List;

/**
 * The settings the auditing rules use.
 *
 * @param lockEventLag how late a lock's own events may arrive after a state write's event
 */
public record AuditSettings(String workspaceKeyPrefix, List<String> stateIncludeSuffixes,
                            List<String> stateExcludeSuffixes, Duration digestGrace, Duration lockEventLag) {

    public static AuditSettings from(Config config) {
        return new AuditSettings(config.watched().workspaceKeyPrefix(), config.watched().stateIncludeSuffixes(),
                config.watched().stateExcludeSuffixes(), Duration.ofSeconds(config.timing().digestGraceSeconds()),
                Duration.ofSeconds(config.timing().lockEventLagSeconds()));
    }

    /** How often a check waiting for the lock history to be complete looks again. */
    public Duration recheckEvery() {
        return lockEventLag.compareTo(MIN_RECHECK) < 0 ? MIN_RECHECK : lockEventLag;
    }

    private static final Duration MIN_RECHECK = Duration.ofSeconds(15);

    /**
     * Whether a key is named as a state's: it ends with one of {@code STATE_INCLUDE_SUFFIXES}, or, when none are set,
     * with {@code .tfstate} (the name Terraform's documentation gives every state). Whatever is written at such a key
     * is judged as a state's write, even when it is not a state at all.
     */
    public boolean namedAsState(String key) {
        return mayBeState(key) && (stateIncludeSuffixes.isEmpty() ? key.endsWith(".tfstate")
                : stateIncludeSuffixes.stream().anyMatch(key::endsWith));
    }

    /** Whether an object key may hold a state (lock files never do). */
    public boolean mayBeState(String key) {
        if (StateKeys.isLockFile(key) || stateExcludeSuffixes.stream().anyMatch(key::endsWith)) {
            return false;
        }
        return stateIncludeSuffixes.isEmpty() || stateIncludeSuffixes.stream().anyMatch(key::endsWith);
    }
}

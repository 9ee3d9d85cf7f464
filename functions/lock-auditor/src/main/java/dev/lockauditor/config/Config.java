package dev.lockauditor.config;

import java.util.Map;

/**
 * The auditor's settings, read from environment variables; every function and the local runner read the same ones.
 *
 * @param lockTable            {@code LOCK_TABLE}: the Terraform lock table watched
 * @param stateBucket          {@code STATE_BUCKET}: the Terraform state bucket watched
 * @param historyTable         {@code HISTORY_TABLE}: where history is kept
 * @param environmentName      {@code ENVIRONMENT_NAME}: the name alerts and metrics carry, e.g. {@code production}
 * @param historyRetentionDays {@code HISTORY_RETENTION_DAYS}: how long history is kept (default 90)
 * @param workspaceKeyPrefix   {@code WORKSPACE_KEY_PREFIX}: the backend's {@code workspace_key_prefix} (default {@code env:})
 */
public record Config(String lockTable, String stateBucket, String historyTable, String environmentName,
                     int historyRetentionDays, String workspaceKeyPrefix) {

    public static Config fromEnvironment() {
        return from(System.getenv());
    }

    public static Config from(Map<String, String> env) {
        return new Config(
                env.getOrDefault("LOCK_TABLE", ""),
                env.getOrDefault("STATE_BUCKET", ""),
                env.getOrDefault("HISTORY_TABLE", ""),
                env.getOrDefault("ENVIRONMENT_NAME", "default"),
                positive(env, "HISTORY_RETENTION_DAYS", 90),
                env.getOrDefault("WORKSPACE_KEY_PREFIX", "env:"));
    }

    /** The value of a setting that must be set. */
    public static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
        String text = env.get(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(name + " must be a positive whole number, not '" + text + "'");
    }
}

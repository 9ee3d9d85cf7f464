package dev.lockauditor.config;

import dev.lockauditor.terraform.MalformedException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The auditor's settings, read from environment variables; every function and the local runner read the same ones,
 * grouped by what they are about.
 *
 * @param stateEventsQueueUrl {@code STATE_EVENTS_QUEUE_URL}: the queue bringing the state bucket's events, where an
 *                            event whose checks cannot be decided yet is sent again with a delay
 */
public record Config(Watched watched, Kept kept, Timing timing, Alerting alerting, String stateEventsQueueUrl) {

    /**
     * The backend watched: its lock table (and stream) and state bucket, and which of its keys are states.
     *
     * @param lockTable            {@code LOCK_TABLE}: the Terraform lock table watched
     * @param stateBucket          {@code STATE_BUCKET}: the Terraform state bucket watched
     * @param lockTableStreamArn   {@code LOCK_TABLE_STREAM_ARN}: the lock table's stream, read to tell whether its
     *                             processing has recorded everything up to a time
     * @param workspaceKeyPrefix   {@code WORKSPACE_KEY_PREFIX}: the backend's {@code workspace_key_prefix} (default
     *                             {@code env:})
     * @param stateIncludeSuffixes {@code STATE_INCLUDE_SUFFIXES}: comma-separated; only keys ending so are states
     *                             (default: any key)
     * @param stateExcludeSuffixes {@code STATE_EXCLUDE_SUFFIXES}: comma-separated; keys ending so are not states
     */
    public record Watched(String lockTable, String stateBucket, String lockTableStreamArn, String workspaceKeyPrefix,
                          List<String> stateIncludeSuffixes, List<String> stateExcludeSuffixes) {
    }

    /**
     * Where history is kept, for how long, and the environment each state counts in.
     *
     * @param historyTable         {@code HISTORY_TABLE}: where history is kept
     * @param historyRetentionDays {@code HISTORY_RETENTION_DAYS}: how long history is kept (default 90)
     * @param environmentName      {@code ENVIRONMENT_NAME}: the environment of every state {@code ENVIRONMENTS} does
     *                             not name, e.g. {@code production}
     * @param environments         {@code ENVIRONMENTS}: environments by key pattern, first match wins, e.g. {@code
     *                             production=env:/prod/*,prod/*;staging=env:/staging/*}
     */
    public record Kept(String historyTable, int historyRetentionDays, String environmentName, String environments) {
    }

    /**
     * How long the rules wait and when a lock is stale.
     *
     * @param digestGraceSeconds       {@code DIGEST_GRACE_SECONDS}: how long a state and its digest may differ while
     *                                 Terraform writes them (default 30)
     * @param lockEventLagSeconds      {@code LOCK_EVENT_LAG_SECONDS}: how late a lock's events may arrive after a state
     *                                 write's event before the write counts as unlocked (default 60)
     * @param staleLockMinutes         {@code STALE_LOCK_MINUTES}: a lock held longer is stale (default 60)
     * @param staleLockReminderMinutes {@code STALE_LOCK_REMINDER_MINUTES}: how often a stale lock is alerted again
     *                                 while it stays (default 240)
     * @param staleLockOverrides       {@code STALE_LOCK_OVERRIDES}: per-state thresholds, {@code pattern=minutes,...}
     * @param fullListingHours         {@code FULL_LISTING_HOURS}: how often the sweep lists the whole bucket to
     *                                 reconcile the lock files it knows from their events (default 24)
     */
    public record Timing(int digestGraceSeconds, int lockEventLagSeconds, int staleLockMinutes,
                         int staleLockReminderMinutes, String staleLockOverrides, int fullListingHours) {
    }

    /**
     * Where alerts go and what they carry.
     *
     * @param alertTopicArn         {@code ALERT_TOPIC_ARN}: where alerts are published
     * @param slackWebhookSecretArn {@code SLACK_WEBHOOK_SECRET_ARN}: the secret holding the Slack incoming-webhook URL
     * @param slackMinSeverity      {@code SLACK_MIN_SEVERITY}: the least severe alert posted to Slack (default INFO)
     * @param callerEnrichment      {@code CALLER_ENRICHMENT}: {@code on} to join CloudTrail's callers to history
     */
    public record Alerting(String alertTopicArn, String slackWebhookSecretArn, String slackMinSeverity,
                           boolean callerEnrichment) {
    }

    public static Config fromEnvironment() {
        return from(System.getenv());
    }

    public static Config from(Map<String, String> env) {
        Watched watched = new Watched(env.getOrDefault("LOCK_TABLE", ""), env.getOrDefault("STATE_BUCKET", ""),
                env.getOrDefault("LOCK_TABLE_STREAM_ARN", ""), env.getOrDefault("WORKSPACE_KEY_PREFIX", "env:"),
                list(env.get("STATE_INCLUDE_SUFFIXES")), list(env.get("STATE_EXCLUDE_SUFFIXES")));
        Kept kept = new Kept(env.getOrDefault("HISTORY_TABLE", ""), whole(env, "HISTORY_RETENTION_DAYS", 90, 1),
                env.getOrDefault("ENVIRONMENT_NAME", "default"), env.getOrDefault("ENVIRONMENTS", ""));
        Timing timing = new Timing(whole(env, "DIGEST_GRACE_SECONDS", 30, 0),
                whole(env, "LOCK_EVENT_LAG_SECONDS", 60, 0),
                whole(env, "STALE_LOCK_MINUTES", 60, 1), whole(env, "STALE_LOCK_REMINDER_MINUTES", 240, 1),
                env.getOrDefault("STALE_LOCK_OVERRIDES", ""), whole(env, "FULL_LISTING_HOURS", 24, 1));
        Alerting alerting = new Alerting(env.getOrDefault("ALERT_TOPIC_ARN", ""),
                env.getOrDefault("SLACK_WEBHOOK_SECRET_ARN", ""), env.getOrDefault("SLACK_MIN_SEVERITY", "INFO"),
                "on".equalsIgnoreCase(env.getOrDefault("CALLER_ENRICHMENT", "").trim()));
        return new Config(watched, kept, timing, alerting, env.getOrDefault("STATE_EVENTS_QUEUE_URL", ""));
    }

    /** Which environment each state is in; a malformed ENVIRONMENTS stops whatever reads it from starting. */
    public Environments environmentsByKey() {
        try {
            return Environments.of(kept.environments(), kept.environmentName());
        } catch (dev.lockauditor.terraform.MalformedException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** The value of a setting that must be set. */
    public static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }

    private static List<String> list(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int whole(Map<String, String> env, String name, int fallback, int minimum) {
        String text = env.get(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= minimum) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(name + " must be a whole number of at least " + minimum + ", not '" + text + "'");
    }
}

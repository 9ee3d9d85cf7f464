package dev.lockauditor.handler;

import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertPublisher;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.audit.AuditSettings;
import dev.lockauditor.audit.CallerJoin;
import dev.lockauditor.audit.DigestVerifier;
import dev.lockauditor.audit.LockHistoryProgress;
import dev.lockauditor.audit.LockIndex;
import dev.lockauditor.audit.LockTableAuditor;
import dev.lockauditor.audit.Rechecks;
import dev.lockauditor.audit.StaleLockNotices;
import dev.lockauditor.audit.StaleLockSweeper;
import dev.lockauditor.audit.StaleLocks;
import dev.lockauditor.audit.StateEventAuditor;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbBookkeeping;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.aws.DynamoDbLockStream;
import dev.lockauditor.aws.DynamoDbLockTable;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.aws.SnsAlertPublisher;
import dev.lockauditor.aws.SqsRechecks;
import dev.lockauditor.backend.LockStream;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.MalformedException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the handlers work with, wired once per execution environment: the rules over the backend
 * (lock table and state bucket, read only), history, and where alerts go.
 */
public record Components(Config config, HistoryStore history, Bookkeeping bookkeeping, LockTable locks,
                         StateBucket bucket, LockStream lockStream, AlertPublisher publisher, AlertSink alerts,
                         Alerts alertText, Metrics metrics, Clock clock, Rechecks rechecks) {

    /**
     * As a deployed function runs: every adapter on AWS, metrics on stdout, and every client the function may use
     * built now, during init, so that SnapStart's snapshot holds them.
     */
    public static Components forLambda(Config config, AwsClients aws) {
        aws.dynamoDb();
        if (!config.stateBucket().isEmpty()) {
            aws.s3();
        }
        if (!config.alertTopicArn().isEmpty()) {
            aws.sns();
        }
        if (!config.stateEventsQueueUrl().isEmpty()) {
            aws.sqs();
        }
        if (!config.lockTableStreamArn().isEmpty()) {
            aws.dynamoDbStreams();
        }
        return of(config, aws, historyStore(config, aws), publisher(config, aws),
                new Metrics(System.out, config.environmentsByKey(), Clock.systemUTC()));
    }

    /** The backend's adapters on AWS, with the given history, alert publisher and metrics. */
    public static Components of(Config config, AwsClients aws, HistoryStore history, AlertPublisher publisher,
                                Metrics metrics) {
        LockTable locks = config.lockTable().isEmpty() ? NO_LOCK_TABLE
                : new DynamoDbLockTable(aws.dynamoDb(), config.lockTable(), config.workspaceKeyPrefix());
        StateBucket bucket = config.stateBucket().isEmpty() ? NO_STATE_BUCKET
                : new S3StateBucket(aws::s3, config.stateBucket());
        LockStream lockStream = config.lockTableStreamArn().isEmpty() ? LockStream.UNKNOWN
                : new DynamoDbLockStream(aws::dynamoDbStreams, config.lockTableStreamArn());
        AlertSink alerts = new OnceAlerts(history, publisher, Clock.systemUTC());
        AlertSink counted = alert -> {
            boolean raised = alerts.raise(alert);
            if (raised) {
                metrics.alertRaised(alert.state(), alert.type().name());
            }
            return raised;
        };
        Rechecks rechecks = config.stateEventsQueueUrl().isEmpty() ? Rechecks.NONE
                : new SqsRechecks(aws.sqs(), config.stateEventsQueueUrl(), Clock.systemUTC());
        return new Components(config, history, new DynamoDbBookkeeping(aws.dynamoDb(), config.historyTable()), locks,
                bucket, lockStream, publisher, counted, new Alerts(config.lockTable()), metrics, Clock.systemUTC(), rechecks);
    }

    public static HistoryStore historyStore(Config config, AwsClients aws) {
        return new DynamoDbHistoryStore(aws.dynamoDb(), Config.required("HISTORY_TABLE", config.historyTable()),
                Duration.ofDays(config.historyRetentionDays()), config.environmentsByKey());
    }

    /** The alert topic; with no ALERT_TOPIC_ARN, publishing fails (and is retried) rather than losing the alert. */
    public static AlertPublisher publisher(Config config, AwsClients aws) {
        if (config.alertTopicArn().isEmpty()) {
            return alert -> {
                throw new IllegalStateException("ALERT_TOPIC_ARN is not set: cannot publish " + alert.type());
            };
        }
        return new SnsAlertPublisher(aws::sns, config.alertTopicArn(), origin(config, aws));
    }

    public static AlertDocument.Origin origin(Config config, AwsClients aws) {
        return AlertDocument.Origin.of(config.environmentsByKey(), config.alertTopicArn(), aws.region().id(),
                config.lockTable());
    }

    /** A backend with no lock table (lock files only): no locks and no digests in it. */
    public static final LockTable NO_LOCK_TABLE = new LockTable() {
        @Override
        public Optional<dev.lockauditor.terraform.LockInfo> lock(String lockPath) {
            return Optional.empty();
        }

        @Override
        public Optional<String> digest(String lockPath) {
            return Optional.empty();
        }

        @Override
        public List<LockTableItem> scan() {
            return List.of();
        }
    };

    /** No state bucket configured: no objects in it. */
    public static final StateBucket NO_STATE_BUCKET = new StateBucket() {
        @Override
        public String name() {
            return "";
        }

        @Override
        public Optional<ObjectHead> head(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> prefix(String key, String versionId, int bytes) {
            return Optional.empty();
        }

        @Override
        public Optional<String> md5(String key, String versionId) {
            return Optional.empty();
        }

        @Override
        public List<String> keysEndingWith(String suffix) {
            return List.of();
        }
    };

    public LockTableAuditor lockTableAuditor() {
        return new LockTableAuditor(config.workspaceKeyPrefix());
    }

    public StateEventAuditor stateEventAuditor() {
        return new StateEventAuditor(AuditSettings.from(config), bucket, locks, history, alerts, alertText,
                staleLockNotices(), lockHistoryProgress(), new LockIndex(bookkeeping), callerJoin(), clock);
    }

    /** Who made each change, from CloudTrail, when CALLER_ENRICHMENT is on. */
    public CallerJoin callerJoin() {
        return new CallerJoin(history, bookkeeping, alerts, alertText, config.workspaceKeyPrefix(), clock,
                config.callerEnrichment());
    }

    public LockHistoryProgress lockHistoryProgress() {
        return new LockHistoryProgress(!config.lockTable().isEmpty(), bookkeeping, lockStream);
    }

    public StaleLockNotices staleLockNotices() {
        return new StaleLockNotices(history, alerts, alertText, staleLocks(), clock);
    }

    public StaleLockSweeper staleLockSweeper() {
        return new StaleLockSweeper(locks, bucket, history, bookkeeping, alerts, alertText, staleLocks(),
                staleLockNotices(), lockHistoryProgress(), AuditSettings.from(config),
                Duration.ofHours(config.fullListingHours()), clock);
    }

    /** The stale lock rules from the settings; a malformed STALE_LOCK_OVERRIDES stops the function from starting. */
    public StaleLocks staleLocks() {
        try {
            return StaleLocks.of(config.staleLockMinutes(), config.staleLockReminderMinutes(), config.staleLockOverrides(),
                    config.environmentsByKey());
        } catch (MalformedException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    public DigestVerifier digestVerifier() {
        return new DigestVerifier(bucket, locks, history, alerts, alertText,
                Duration.ofSeconds(config.digestGraceSeconds()), clock);
    }
}

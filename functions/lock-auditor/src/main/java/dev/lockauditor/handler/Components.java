package dev.lockauditor.handler;

import dev.lockauditor.alert.AlertClaims;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertPublisher;
import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.audit.BackendReview;
import dev.lockauditor.audit.Backfill;
import dev.lockauditor.audit.BucketEvents;
import dev.lockauditor.audit.CallerJoin;
import dev.lockauditor.audit.DigestVerifier;
import dev.lockauditor.audit.FullListing;
import dev.lockauditor.audit.LockFileEvents;
import dev.lockauditor.audit.LockHistoryProgress;
import dev.lockauditor.audit.LockIndex;
import dev.lockauditor.audit.LockReconciliation;
import dev.lockauditor.audit.LockTableEvents;
import dev.lockauditor.audit.ObjectEntries;
import dev.lockauditor.audit.OrphanedDigests;
import dev.lockauditor.audit.Rechecks;
import dev.lockauditor.audit.StaleLockAlerts;
import dev.lockauditor.audit.StaleLockNotices;
import dev.lockauditor.audit.StateDeletions;
import dev.lockauditor.audit.StateWrites;
import dev.lockauditor.audit.Sweep;
import dev.lockauditor.audit.SweepBackfill;
import dev.lockauditor.audit.WriteLocks;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbAlertClaims;
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
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.LockTableChanges;
import dev.lockauditor.rules.StaleLocks;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.MalformedException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the handlers work with, wired once per execution environment: the backend (lock table and state
 * bucket, read only), the auditor's own stores, where alerts go, and the use cases built over them.
 */
public final class Components {

    /** The Terraform backend, read only. */
    public record Backend(LockTable locks, StateBucket bucket, LockStream lockStream) {
    }

    /** What the auditor keeps: history, its own bookkeeping, and the claims that make each alert raised once. */
    public record Stores(HistoryStore history, Bookkeeping bookkeeping, AlertClaims claims) {
    }

    private final Config config;
    private final Backend backend;
    private final Stores stores;
    private final AlertPublisher publisher;
    private final Metrics metrics;
    private final Clock clock;
    private final Rechecks rechecks;
    private final AlertRaiser alerts;
    /** Made by {@link #forLambda}: a function's, in Lambda, whose AWS clients SnapStart's priming drives. */
    private boolean deployed;

    public Components(Config config, Backend backend, Stores stores, AlertPublisher publisher, Metrics metrics,
                      Clock clock, Rechecks rechecks) {
        this.config = config;
        this.backend = backend;
        this.stores = stores;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.rechecks = rechecks;
        AlertSink once = new OnceAlerts(stores.claims(), publisher, clock);
        AlertSink counted = alert -> {
            boolean raised = once.raise(alert);
            if (raised) {
                metrics.alertRaised(alert.state(), alert.type().name());
            }
            return raised;
        };
        this.alerts = new AlertRaiser(new Alerts(config.watched().lockTable()), counted, clock);
    }

    /**
     * As a deployed function runs: every adapter on AWS, metrics on stdout, and every client the function may use
     * built now, during init, so that SnapStart's snapshot holds them.
     */
    public static Components forLambda(Config config, AwsClients aws) {
        aws.dynamoDb();
        if (!config.watched().stateBucket().isEmpty()) {
            aws.s3();
        }
        if (!config.alerting().alertTopicArn().isEmpty()) {
            aws.sns();
        }
        if (!config.stateEventsQueueUrl().isEmpty()) {
            aws.sqs();
        }
        if (!config.watched().lockTableStreamArn().isEmpty()) {
            aws.dynamoDbStreams();
        }
        Components components = of(config, aws, historyStore(config, aws), publisher(config, aws),
                new Metrics(System.out, config.environmentsByKey(), Clock.systemUTC()));
        components.deployed = true;
        return components;
    }

    /** The backend's adapters on AWS, with the given history, alert publisher and metrics. */
    public static Components of(Config config, AwsClients aws, HistoryStore history, AlertPublisher publisher,
                                Metrics metrics) {
        LockTable locks = config.watched().lockTable().isEmpty() ? NO_LOCK_TABLE
                : new DynamoDbLockTable(aws.dynamoDb(), config.watched().lockTable(), config.watched().workspaceKeyPrefix());
        StateBucket bucket = config.watched().stateBucket().isEmpty() ? NO_STATE_BUCKET
                : new S3StateBucket(aws::s3, config.watched().stateBucket());
        LockStream lockStream = config.watched().lockTableStreamArn().isEmpty() ? LockStream.UNKNOWN
                : new DynamoDbLockStream(aws::dynamoDbStreams, config.watched().lockTableStreamArn());
        Rechecks rechecks = config.stateEventsQueueUrl().isEmpty() ? Rechecks.NONE
                : new SqsRechecks(aws.sqs(), config.stateEventsQueueUrl(), Clock.systemUTC());
        Stores stores = new Stores(history, new DynamoDbBookkeeping(aws.dynamoDb(), config.kept().historyTable()),
                new DynamoDbAlertClaims(aws.dynamoDb(), config.kept().historyTable(), historyStore(config, aws)));
        return new Components(config, new Backend(locks, bucket, lockStream), stores, publisher, metrics,
                Clock.systemUTC(), rechecks);
    }

    public static DynamoDbHistoryStore historyStore(Config config, AwsClients aws) {
        return new DynamoDbHistoryStore(aws.dynamoDb(), Config.required("HISTORY_TABLE", config.kept().historyTable()),
                Duration.ofDays(config.kept().historyRetentionDays()), config.environmentsByKey());
    }

    /** The alert topic; with no ALERT_TOPIC_ARN, publishing fails (and is retried) rather than losing the alert. */
    public static AlertPublisher publisher(Config config, AwsClients aws) {
        if (config.alerting().alertTopicArn().isEmpty()) {
            return alert -> {
                throw new IllegalStateException("ALERT_TOPIC_ARN is not set: cannot publish " + alert.type());
            };
        }
        return new SnsAlertPublisher(aws::sns, config.alerting().alertTopicArn(), origin(config, aws));
    }

    public static AlertDocument.Origin origin(Config config, AwsClients aws) {
        return AlertDocument.Origin.of(config.environmentsByKey(), config.alerting().alertTopicArn(), aws.region().id(),
                config.watched().lockTable());
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

    /** Whether a function in Lambda made these ({@link #forLambda}). */
    public boolean deployed() {
        return deployed;
    }

    // What they are made of, and the two stores most use.
    public Config config() { return config; }
    public Backend backend() { return backend; }
    public Stores stores() { return stores; }
    public HistoryStore history() { return stores.history(); }
    public Bookkeeping bookkeeping() { return stores.bookkeeping(); }
    public AlertPublisher publisher() { return publisher; }
    public Metrics metrics() { return metrics; }
    public Clock clock() { return clock; }
    public Rechecks rechecks() { return rechecks; }

    /** The one collaborator that raises alerts (words, identity, once), counted in the metrics. */
    public AlertRaiser alerts() {
        return alerts;
    }

    /** Bucket events: state writes and deletions, lock files. */
    public BucketEvents bucketEvents() {
        AuditSettings settings = AuditSettings.from(config);
        HistoryStore history = history();
        CallerJoin callers = callerJoin();
        ObjectEntries entries = new ObjectEntries(callers);
        WriteLocks writeLocks = new WriteLocks(settings, backend.locks(), backend.bucket(), history,
                lockHistoryProgress(), clock);
        return new BucketEvents(settings,
                new StateWrites(settings, backend.bucket(), history, writeLocks, alerts, digestVerifier(), entries),
                new StateDeletions(backend.bucket(), history, writeLocks, alerts, orphanedDigests(settings), entries),
                new LockFileEvents(backend.bucket(), history, new LockIndex(bookkeeping()), callers,
                        staleLockNotices(), entries));
    }

    /** Lock table changes, from its stream. */
    public LockTableEvents lockTableEvents() {
        return new LockTableEvents(new LockTableChanges(config.watched().workspaceKeyPrefix()), history(),
                new LockIndex(bookkeeping()), callerJoin(), digestVerifier(), staleLockNotices(), alerts);
    }

    /** Who made each change, from CloudTrail, when CALLER_ENRICHMENT is on. */
    public CallerJoin callerJoin() {
        return new CallerJoin(history(), bookkeeping(), alerts, config.watched().workspaceKeyPrefix(), config.alerting().callerEnrichment());
    }

    public LockHistoryProgress lockHistoryProgress() {
        return new LockHistoryProgress(!config.watched().lockTable().isEmpty(), bookkeeping(), backend.lockStream());
    }

    public StaleLockNotices staleLockNotices() {
        return staleLockNotices(staleLocks());
    }

    private StaleLockNotices staleLockNotices(StaleLocks rules) {
        return new StaleLockNotices(history(), alerts, rules);
    }

    /** The scheduled sweep. */
    public Sweep sweep() {
        AuditSettings settings = AuditSettings.from(config);
        StaleLocks rules = staleLocks();
        return new Sweep(bookkeeping(), backend.locks(),
                new FullListing(backend.bucket(), bookkeeping(), history(), alerts, settings,
                        Duration.ofHours(config.timing().fullListingHours())),
                new LockReconciliation(lockHistoryProgress(), history(), bookkeeping(), staleLockNotices(rules), settings),
                new StaleLockAlerts(new BackendReview(rules, settings), rules, history(), alerts),
                orphanedDigests(settings), clock);
    }

    /** History from the bucket's versions. */
    public Backfill backfill() {
        return new Backfill(backend.bucket(), history(), alerts, AuditSettings.from(config));
    }

    /** The backfill each sweep runs a share of, until it is done. */
    public SweepBackfill sweepBackfill() {
        return new SweepBackfill(backfill(), bookkeeping(), alerts, Duration.ofDays(config.kept().historyRetentionDays()),
                clock);
    }

    private OrphanedDigests orphanedDigests(AuditSettings settings) {
        return new OrphanedDigests(backend.locks(), backend.bucket(), history(), alerts, settings, clock);
    }

    /** The stale lock rules from the settings; a malformed STALE_LOCK_OVERRIDES stops the function from starting. */
    public StaleLocks staleLocks() {
        try {
            return StaleLocks.of(config.timing().staleLockMinutes(), config.timing().staleLockReminderMinutes(), config.timing().staleLockOverrides(),
                    config.environmentsByKey());
        } catch (MalformedException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    public DigestVerifier digestVerifier() {
        return new DigestVerifier(backend.bucket(), backend.locks(), history(), alerts,
                Duration.ofSeconds(config.timing().digestGraceSeconds()), clock);
    }
}

package dev.lockauditor.runtime;

import dev.lockauditor.api.HistoryTable;
import dev.lockauditor.aws.AwsClients;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * The backend the local runner attaches to, checked, and the auditor's own resources: created on an
 * emulated AWS on this machine (a loopback endpoint) when missing, and never anywhere else.
 */
public final class LocalResources {

    public static final String DEFAULT_HISTORY_TABLE = "lock-auditor-history";
    static final String DEFAULT_ALERT_TOPIC = "lock-auditor-alerts";
    public static final String DEFAULT_STATE_EVENTS_QUEUE = "lock-auditor-state-events";

    private final AwsClients aws;
    private final PrintStream err;
    private final boolean loopback;

    public LocalResources(AwsClients aws, PrintStream err) {
        this.aws = aws;
        this.err = err;
        this.loopback = isLoopback(aws.endpoint());
    }

    public static AwsClients clients(Map<String, String> settings) {
        try {
            return AwsClients.forTools(settings);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new SetupException(e.getMessage());
        }
    }

    /** Whether the endpoint is on this machine (loopback), as an emulator is; null (AWS itself) is not. */
    public static boolean isLoopback(URI endpoint) {
        if (endpoint == null || endpoint.getHost() == null) {
            return false;
        }
        String host = endpoint.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The lock table's stream ARN, after checking the table is a Terraform lock table with a usable stream. */
    public String lockTableStream(String lockTable) {
        TableDescription table;
        try {
            table = aws.dynamoDb().describeTable(b -> b.tableName(lockTable)).table();
        } catch (ResourceNotFoundException e) {
            throw new SetupException("LOCK_TABLE '" + lockTable + "' does not exist at " + where());
        } catch (SdkException e) {
            throw new SetupException("cannot read LOCK_TABLE '" + lockTable + "' at " + where() + ": " + e.getMessage());
        }
        boolean lockIdKey = table.keySchema().stream().anyMatch(k -> k.attributeName().equals("LockID"));
        if (!lockIdKey) {
            throw new SetupException("LOCK_TABLE '" + lockTable + "' has no LockID key: not a Terraform lock table");
        }
        if (table.latestStreamArn() == null || table.streamSpecification() == null
                || !Boolean.TRUE.equals(table.streamSpecification().streamEnabled())) {
            throw new SetupException("LOCK_TABLE '" + lockTable + "' has no stream; turn it on with "
                    + "stream_enabled = true and stream_view_type = \"NEW_AND_OLD_IMAGES\" (see docs/deploy.md)");
        }
        if (table.streamSpecification().streamViewType() != StreamViewType.NEW_AND_OLD_IMAGES) {
            throw new SetupException("LOCK_TABLE '" + lockTable + "' has a " + table.streamSpecification()
                    .streamViewTypeAsString() + " stream; the auditor needs NEW_AND_OLD_IMAGES");
        }
        return table.latestStreamArn();
    }

    public void requireBucket(String bucket) {
        try {
            aws.s3().headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            throw new SetupException("STATE_BUCKET '" + bucket + "' does not exist at " + where());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new SetupException("STATE_BUCKET '" + bucket + "' does not exist at " + where());
            }
            throw new SetupException("cannot read STATE_BUCKET '" + bucket + "' at " + where() + ": " + e.getMessage());
        }
    }

    /** The history table: the one named, or on loopback the default one, created if missing. */
    public String historyTable(String named) {
        String table = named == null || named.isBlank() ? (loopback ? DEFAULT_HISTORY_TABLE : null) : named;
        if (table == null) {
            throw new SetupException("HISTORY_TABLE is not set; use the stack's LockHistoryTableName output");
        }
        if (loopback) {
            if (ensureHistoryTable(aws.dynamoDb(), table)) {
                err.println("lock-auditor: created history table '" + table + "' at " + where());
            }
            return table;
        }
        try {
            aws.dynamoDb().describeTable(b -> b.tableName(table));
        } catch (ResourceNotFoundException e) {
            throw new SetupException("HISTORY_TABLE '" + table + "' does not exist at " + where()
                    + "; deploy the stack (sam deploy) and use its history table");
        }
        return table;
    }

    /** The alert topic: the one named, or on loopback one created for the run; none otherwise. */
    public String alertTopic(String named) {
        if (named != null && !named.isBlank()) {
            return named;
        }
        if (!loopback) {
            return "";
        }
        return aws.sns().createTopic(b -> b.name(DEFAULT_ALERT_TOPIC)).topicArn();
    }

    /**
     * The queue the state bucket's events arrive on: the one named, or on loopback one created and set as the
     * bucket's notification target. Against AWS with none named, there is none: point a queue at the bucket
     * yourself (STATE_EVENTS_QUEUE_URL), since the auditor never changes a real bucket.
     */
    public String stateEventsQueue(String bucket, String named) {
        if (named != null && !named.isBlank()) {
            return named;
        }
        if (!loopback) {
            err.println("lock-auditor: STATE_EVENTS_QUEUE_URL is not set: the state bucket's events are not read");
            return null;
        }
        SqsClient sqs = aws.client(SqsClient.builder());
        String queueUrl = sqs.createQueue(b -> b.queueName(DEFAULT_STATE_EVENTS_QUEUE)
                .attributesWithStrings(Map.of("VisibilityTimeout", "300"))).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        aws.s3().putBucketNotificationConfiguration(b -> b.bucket(bucket).notificationConfiguration(n -> n
                .queueConfigurations(q -> q.queueArn(queueArn)
                        .events(Event.S3_OBJECT_CREATED, Event.S3_OBJECT_REMOVED))));
        return queueUrl;
    }

    /** Creates the history table as template.yaml defines it, if it is missing; returns whether it created it. */
    public static boolean ensureHistoryTable(DynamoDbClient dynamoDb, String table) {
        try {
            dynamoDb.describeTable(b -> b.tableName(table));
            return false;
        } catch (ResourceNotFoundException e) {
            dynamoDb.createTable(b -> b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            a -> a.attributeName(HistoryTable.PARTITION_KEY).attributeType(ScalarAttributeType.S),
                            a -> a.attributeName(HistoryTable.SORT_KEY).attributeType(ScalarAttributeType.S))
                    .keySchema(
                            k -> k.attributeName(HistoryTable.PARTITION_KEY).keyType(KeyType.HASH),
                            k -> k.attributeName(HistoryTable.SORT_KEY).keyType(KeyType.RANGE)));
            dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table));
            dynamoDb.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
                    t -> t.enabled(true).attributeName(HistoryTable.TTL_ATTRIBUTE)));
            return true;
        }
    }

    private String where() {
        return aws.endpoint() == null ? "AWS (" + aws.region().id() + ")" : aws.endpoint().toString();
    }
}

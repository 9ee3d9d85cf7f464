package dev.lockauditor.testsupport;

import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.TerraformS3Backend;
import dev.lockauditor.runtime.SamTemplate;
import dev.lockauditor.aws.AwsClients;
import java.io.IOException;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What {@code sam deploy} would create around the functions, and the backend they watch, on an emulated AWS
 * (moto_server): a Terraform backend (versioned state bucket, and a lock table with its stream unless it is on lock
 * files alone), the history table, the
 * alert topic with a queue subscribed to it (raw delivery), the state events queue, and a Slack webhook served on this machine whose URL is
 * kept in a secret. The end-to-end tests and bin/bench run the functions against it.
 */
public final class EmulatedStack implements AutoCloseable {

    public final AwsClients aws;
    public final SqsClient sqs;
    public final TerraformS3Backend backend;
    public final String historyTable;
    public final String topicArn;
    public final String alertQueueUrl;
    final String slackSecretArn;
    public final String stateEventsQueueUrl;
    private final String stateEventsQueueArn;
    /** The Slack webhook, with what was posted to it. */
    public final LocalWebhook slack;

    /** Whether the backend has a lock table (else it is on lock files alone). */
    public final boolean lockTable;

    /** Creates it all, every name starting with {@code prefix}, the state bucket named {@code bucket}. */
    public EmulatedStack(AwsClients aws, String prefix, String bucket) throws IOException {
        this(aws, prefix, bucket, true);
    }

    /** @param lockTable whether the backend has a lock table; without one it is on lock files alone */
    public EmulatedStack(AwsClients aws, String prefix, String bucket, boolean lockTable) throws IOException {
        this.aws = aws;
        this.lockTable = lockTable;
        this.sqs = aws.client(SqsClient.builder());
        backend = new TerraformS3Backend(aws, bucket, lockTable ? prefix + "-terraform-locks" : "");
        if (lockTable) {
            backend.createLockTable(StreamViewType.NEW_AND_OLD_IMAGES);
        }
        backend.createBucket();
        aws.s3().putBucketVersioning(b -> b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        historyTable = prefix + "-history";
        LocalResources.ensureHistoryTable(aws.dynamoDb(), historyTable);
        topicArn = aws.sns().createTopic(b -> b.name(prefix + "-alerts")).topicArn();
        alertQueueUrl = sqs.createQueue(b -> b.queueName(prefix + "-alerts")).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(alertQueueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        aws.sns().subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(queueArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
        stateEventsQueueUrl = sqs.createQueue(b -> b.queueName(prefix + "-state-events")).queueUrl();
        stateEventsQueueArn = sqs.getQueueAttributes(b -> b.queueUrl(stateEventsQueueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        slack = new LocalWebhook();
        slackSecretArn = aws.secretsManager().createSecret(b -> b.name(prefix + "-slack-webhook")
                .secretString(slack.url("/services/T0/B0/XXXX"))).arn();
    }

    /**
     * The template's parameters and resources as this stack resolves them, for {@link SamTemplate#function}. The lock
     * table's stream is not among them: nothing here consumes it as Lambda's event source mapping would, so its
     * records stay unrecorded, and the functions decide by the lag alone, as without {@code LOCK_TABLE_STREAM_ARN}.
     */
    public Map<String, String> templateValues(String environmentName) {
        return Map.of("LockTableName", backend.lockTable, "StateBucketName", backend.bucket,
                "LockHistoryTable", historyTable, "AlertTopic", topicArn, "SlackWebhookSecretArn", slackSecretArn,
                "StateEventsQueue", stateEventsQueueUrl, "EnvironmentName", environmentName,
                "LockHistoryTable.Arn", tableArn(historyTable), "StateEventsQueue.Arn", stateEventsQueueArn);
    }

    /** The stack's own resources by ARN, each with what it is to the stack. */
    public Map<String, String> named() {
        Map<String, String> named = new java.util.LinkedHashMap<>();
        named.put(tableArn(historyTable), "history table");
        named.put(stateEventsQueueArn, "state events queue");
        named.put(topicArn, "alert topic");
        named.put(slackSecretArn, "Slack webhook secret");
        if (lockTable) {
            named.put(tableArn(backend.lockTable), "lock table");
        }
        return named;
    }

    private static String tableArn(String name) {
        return "arn:aws:dynamodb:us-east-1:123456789012:table/" + name;
    }

    @Override
    public void close() {
        slack.close();
    }
}

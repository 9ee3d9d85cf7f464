package dev.lockauditor.cli;

import dev.lockauditor.testsupport.DayClock;
import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.runtime.SqsEnvelope;
import dev.lockauditor.audit.Rechecks;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.LambdaStreamEvents;
import dev.lockauditor.runtime.LocalContext;
import dev.lockauditor.cli.output.PrintingHistoryStore;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StateEventsHandler;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.LockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * One Terraform backend on the tests' moto_server, and the functions' components over it as deployed (through a
 * faulty endpoint when one is given), with alerts collected, history lines printed as {@code local} prints them, and
 * a clock the test moves: the handlers driven by events in the shapes AWS sends, the lock table's stream read from
 * moto and handed over when the test says.
 */
final class FunctionsOnMoto {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger NAMES = new AtomicInteger();
    static final AtomicInteger SEQUENCERS = new AtomicInteger(0x1000);

    final TerraformBackend backend = new TerraformBackend("moto-" + NAMES.incrementAndGet())
            .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
    final String historyTable = backend.bucket + "-history";
    /** A clock the test moves. */
    final DayClock clock = new DayClock(Instant.now());
    final List<Alert> published = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream metrics = new ByteArrayOutputStream();
    final List<String> rechecks = new CopyOnWriteArrayList<>();
    final DynamoDbStreamsClient streams = AwsClients.forTools(MotoServer.environment()).dynamoDbStreams();
    final String streamArn;
    String delivered;
    /** CALLER_ENRICHMENT, as the stack's CallerEnrichment parameter sets it. */
    String callerEnrichment = "on";

    FunctionsOnMoto() {
        AwsClients moto = AwsClients.forTools(MotoServer.environment());
        LocalResources.ensureHistoryTable(moto.dynamoDb(), historyTable);
        streamArn = moto.dynamoDb().describeTable(b -> b.tableName(backend.lockTable)).table().latestStreamArn();
    }

    Map<String, String> env(Map<String, String> endpoint) {
        Map<String, String> env = new java.util.HashMap<>(endpoint);
        env.put("LOCK_TABLE", backend.lockTable);
        env.put("STATE_BUCKET", backend.bucket);
        env.put("HISTORY_TABLE", historyTable);
        env.put("LOCK_TABLE_STREAM_ARN", streamArn);
        env.put("LOCK_EVENT_LAG_SECONDS", "4");
        env.put("DIGEST_GRACE_SECONDS", "3");
        env.put("CALLER_ENRICHMENT", callerEnrichment);
        return env;
    }

    /** The functions' components as deployed, with alerts collected and history lines printed as local prints them. */
    Components components(Map<String, String> endpoint) {
        Config config = Config.from(env(endpoint));
        AwsClients aws = AwsClients.forTools(env(endpoint));
        HistoryStore history = new PrintingHistoryStore(Components.historyStore(config, aws),
                (record, fields) -> lines.add(record + " " + fields.get("event") + " " + fields.get("eventKey")),
                config.environmentsByKey());
        Components real = Components.of(config, aws, history, published::add,
                new Metrics(new PrintStream(metrics, true, StandardCharsets.UTF_8), Environments.only("test"), clock));
        // A stack deployed before the faults its tests inject: its backfill from the bucket's versions is done.
        real.bookkeeping().backfill(new dev.lockauditor.history.Bookkeeping.Backfill(null, null, clock.instant(),
                clock.instant(), clock.instant(), dev.lockauditor.history.Bookkeeping.BackfillCounts.NONE));
        return new Components(config, real.backend(), real.stores(), published::add, real.metrics(), clock,
                (document, at, attempt) -> rechecks.add(document));
    }

    Components components() {
        return components(MotoServer.environment());
    }

    /** What the lock table's stream holds after what was delivered last. */
    List<Record> pendingStreamRecords() {
        String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0).shardId();
        String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                .shardIteratorType(delivered == null ? ShardIteratorType.TRIM_HORIZON : ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                .sequenceNumber(delivered)).shardIterator();
        return streams.getRecords(b -> b.shardIterator(iterator)).records();
    }

    /** LockEventsFunction handed what the stream holds now, as Lambda's event source mapping hands it. */
    StreamsEventResponse deliverLockEvents(Components components, List<Record> records) {
        DynamodbEvent event = LambdaEventSerializers.serializerFor(DynamodbEvent.class, getClass().getClassLoader())
                .fromJson(LambdaStreamEvents.toEventJson(records, streamArn));
        StreamsEventResponse response = new LockEventsHandler(components).handleRequest(event, context("LockEventsFunction"));
        if (response.getBatchItemFailures().isEmpty()) {
            delivered = records.get(records.size() - 1).dynamodb().sequenceNumber();
        }
        return response;
    }

    /** A plan's lock taken and released, and recorded: the lock stream has a watermark from then on. */
    void recordALockChange(Components components) {
        LockInfo plan = backend.lock("warmup/terraform.tfstate", "OperationTypePlan", "ci@runner");
        backend.unlock("warmup/terraform.tfstate", plan.id());
        assertTrue(catchUp(components).getBatchItemFailures().isEmpty());
    }

    StreamsEventResponse catchUp(Components components) {
        return deliverLockEvents(components, pendingStreamRecords());
    }

    /** The EventBridge event S3 sends for an object written now (AWS's documented shape, events/s3-state-written.json). */
    String written(String key) throws Exception {
        HeadObjectResponse head = AwsClients.forTools(MotoServer.environment()).s3()
                .headObject(b -> b.bucket(backend.bucket).key(key));
        JsonNode sample = JSON.readTree(java.nio.file.Files.readString(java.nio.file.Path.of("..", "events",
                "s3-state-written.json")));
        com.fasterxml.jackson.databind.node.ObjectNode event = sample.deepCopy();
        event.put("time", head.lastModified().toString());
        event.put("id", java.util.UUID.randomUUID().toString());
        com.fasterxml.jackson.databind.node.ObjectNode detail = (com.fasterxml.jackson.databind.node.ObjectNode) event.get("detail");
        detail.putObject("bucket").put("name", backend.bucket);
        com.fasterxml.jackson.databind.node.ObjectNode object = detail.putObject("object");
        object.put("key", key).put("size", head.contentLength()).put("etag", head.eTag().replace("\"", ""))
                .put("sequencer", String.format("%018X", SEQUENCERS.incrementAndGet()));
        if (head.versionId() != null) {
            object.put("version-id", head.versionId());
        }
        detail.put("requester", "123456789012");
        detail.put("request-id", String.format("REQ%013X", SEQUENCERS.incrementAndGet()));
        return event.toString();
    }

    /**
     * StateEventsFunction handed one document as the state events queue hands it (the body of one SQS message); its
     * answer counts what the message came to, as the function logs it, and has the batch item failures.
     */
    JsonNode invokeStateEvents(Components components, String document) throws Exception {
        return deliverStateEvent(components, document, 0);
    }

    /** The same, for a message brought back {@code attempt} times. */
    JsonNode deliverStateEvent(Components components, String document, int attempt) throws Exception {
        ObjectNode sqs = (ObjectNode) JSON.readTree(SqsEnvelope.around(document.getBytes(StandardCharsets.UTF_8),
                "us-east-1"));
        if (attempt > 0) {
            ((ObjectNode) sqs.at("/Records/0/messageAttributes")).putObject(Rechecks.ATTEMPT_ATTRIBUTE)
                    .put("stringValue", Integer.toString(attempt)).put("dataType", "Number");
        }
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        SQSBatchResponse response = new StateEventsHandler(components).handleRequest(
                LambdaEventSerializers.serializerFor(SQSEvent.class, getClass().getClassLoader())
                        .fromJson(JSON.writeValueAsString(sqs)),
                new LocalContext("StateEventsFunction", new PrintStream(logs, true, StandardCharsets.UTF_8)));
        ObjectNode answer = JSON.createObjectNode();
        for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
            String message = line.isBlank() ? "" : JSON.readTree(line).path("message").asText();
            if (message.startsWith("SQS message ") && message.contains(": {")) {
                answer.setAll((ObjectNode) JSON.readTree(message.substring(message.indexOf(": {") + 2)));
            }
        }
        answer.set("batchItemFailures", JSON.valueToTree(response.getBatchItemFailures()));
        return answer;
    }

    List<AlertType> alerts() {
        return published.stream().map(Alert::type).toList();
    }

    List<String> history(String key) {
        return HistoryTable.read(AwsClients.forTools(MotoServer.environment()).dynamoDb(), historyTable,
                backend.lockPath(key)).stream().map(item -> item.get("event").s()).toList();
    }

    static LocalContext context(String function) {
        return new LocalContext(function, new PrintStream(OutputStream.nullOutputStream()));
    }


    /**
     * The CloudTrail record of the S3 request an object event reports, as EventBridge delivers it
     * (events/cloudtrail-s3-put-object.json's shape): the same request id, key and time.
     */
    String s3Record(String objectEvent, String principalArn, String sourceIp, String userAgent) throws Exception {
        JsonNode event = JSON.readTree(objectEvent);
        com.fasterxml.jackson.databind.node.ObjectNode record = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(java.nio.file.Files.readString(java.nio.file.Path.of("..", "events", "cloudtrail-s3-put-object.json")));
        com.fasterxml.jackson.databind.node.ObjectNode detail = (com.fasterxml.jackson.databind.node.ObjectNode) record.get("detail");
        String time = Instant.parse(event.get("time").asText()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        record.put("time", time).put("id", java.util.UUID.randomUUID().toString());
        detail.put("eventTime", time).put("requestID", event.at("/detail/request-id").asText())
                .put("sourceIPAddress", sourceIp).put("userAgent", userAgent);
        ((com.fasterxml.jackson.databind.node.ObjectNode) detail.get("userIdentity")).put("arn", principalArn);
        ((com.fasterxml.jackson.databind.node.ObjectNode) detail.get("requestParameters"))
                .put("bucketName", backend.bucket).put("key", event.at("/detail/object/key").asText());
        return record.toString();
    }

    /** The CloudTrail record of a lock table request ({@code PutItem} or {@code DeleteItem}) on a lock item at a time. */
    String itemRecord(String operation, String lockId, Instant at, String principalArn, String sourceIp, String userAgent)
            throws Exception {
        String sample = operation.equals("PutItem") ? "cloudtrail-dynamodb-put-item.json" : "cloudtrail-dynamodb-delete-item.json";
        com.fasterxml.jackson.databind.node.ObjectNode record = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(java.nio.file.Files.readString(java.nio.file.Path.of("..", "events", sample)));
        com.fasterxml.jackson.databind.node.ObjectNode detail = (com.fasterxml.jackson.databind.node.ObjectNode) record.get("detail");
        String time = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        record.put("time", time).put("id", java.util.UUID.randomUUID().toString());
        detail.put("eventTime", time).put("sourceIPAddress", sourceIp).put("userAgent", userAgent);
        ((com.fasterxml.jackson.databind.node.ObjectNode) detail.get("userIdentity")).put("arn", principalArn);
        ((com.fasterxml.jackson.databind.node.ObjectNode) detail.get("requestParameters")).put("tableName", backend.lockTable)
                .putObject("key").put("LockID", lockId);
        return record.toString();
    }
}

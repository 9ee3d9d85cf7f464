package dev.lockauditor.cli;

import dev.lockauditor.cli.aws.LocalResources;
import dev.lockauditor.cli.lambda.LocalContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.metrics.Metrics;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** LockEventsFunction's handler writing history to DynamoDB on moto, with events read by the Lambda runtime's serializer. */
class LockEventsFunctionIntegrationTest {

    static final AtomicInteger TABLES = new AtomicInteger();
    static final Path EVENTS = Path.of("..", "events");

    final String table = "history-" + TABLES.incrementAndGet();
    final List<BatchWriteItemRequest> batchWrites = new ArrayList<>();

    /** The clients the functions use, on moto, recording every BatchWriteItem request. */
    AwsClients aws(ExecutionInterceptor... interceptors) {
        AwsClients aws = AwsClients.forTools(MotoServer.environment()).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof BatchWriteItemRequest request) {
                    batchWrites.add(request);
                }
            }
        });
        for (ExecutionInterceptor interceptor : interceptors) {
            aws = aws.withInterceptor(interceptor);
        }
        return aws;
    }

    DynamoDbClient dynamoDb(ExecutionInterceptor... interceptors) {
        return aws(interceptors).dynamoDb();
    }

    StreamsEventResponse handle(DynamoDbClient dynamoDb, DynamodbEvent event) {
        LocalResources.ensureHistoryTable(dynamoDb, table);
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", table);
        AwsClients aws = AwsClients.forTools(env);
        LockEventsHandler handler = new LockEventsHandler(Components.of(Config.from(env), aws,
                new DynamoDbHistoryStore(dynamoDb, table, Duration.ofDays(90)), Components.publisher(Config.from(env), aws),
                new Metrics(new PrintStream(OutputStream.nullOutputStream()), "test", Clock.systemUTC())));
        return handler.handleRequest(event, new LocalContext("LockEventsFunction", new PrintStream(OutputStream.nullOutputStream())));
    }

    static DynamodbEvent load(String json) {
        return LambdaEventSerializers.serializerFor(DynamodbEvent.class, LockEventsFunctionIntegrationTest.class.getClassLoader())
                .fromJson(json);
    }

    /** Every sample in events/, in one batch, as Lambda would deliver them. */
    static DynamodbEvent allSamples() throws Exception {
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(EVENTS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("(lock|digest|foreign).*\\.json")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    records.addAll(LambdaEventSerializers.serializerFor(DynamodbEvent.class,
                            LockEventsFunctionIntegrationTest.class.getClassLoader()).fromJson(in).getRecords());
                }
            }
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records);
        return event;
    }

    /** {@code count} records, each a lock taken on its own state. */
    static DynamodbEvent locks(int from, int count) {
        StringBuilder json = new StringBuilder("{\"Records\":[");
        for (int i = from; i < from + count; i++) {
            String path = "acme-tfstate/stack-" + i + "/terraform.tfstate";
            String info = String.format("{\\\"ID\\\":\\\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7%04d\\\",\\\"Operation\\\":\\\"OperationTypeApply\\\","
                    + "\\\"Info\\\":\\\"\\\",\\\"Who\\\":\\\"ci@runner\\\",\\\"Version\\\":\\\"1.11.2\\\","
                    + "\\\"Created\\\":\\\"2025-03-14T09:26:53Z\\\",\\\"Path\\\":\\\"%s\\\"}", i, path);
            json.append(i > from ? "," : "").append(String.format("""
                    {"eventID":"event-%d","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",
                     "awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1741944414,
                     "Keys":{"LockID":{"S":"%s"}},"NewImage":{"LockID":{"S":"%s"},"Info":{"S":"%s"}},
                     "SequenceNumber":"%d","SizeBytes":300,"StreamViewType":"NEW_AND_OLD_IMAGES"}}""",
                    i, path, path, info, 1000 + i));
        }
        return load(json.append("]}").toString());
    }

    @Test
    void theSamplesBecomeHistoryAndARedeliveredBatchWritesNothingNew() throws Exception {
        DynamoDbClient dynamoDb = dynamoDb();

        StreamsEventResponse first = handle(dynamoDb, allSamples());
        List<Map<String, AttributeValue>> afterFirst = dynamoDb.scan(b -> b.tableName(table)).items();
        StreamsEventResponse second = handle(dynamoDb, allSamples());
        List<Map<String, AttributeValue>> afterSecond = dynamoDb.scan(b -> b.tableName(table)).items();

        assertTrue(first.getBatchItemFailures().isEmpty());
        assertTrue(second.getBatchItemFailures().isEmpty());
        assertEquals(4, afterFirst.size(), "acquired (x2), digest updated, released");
        assertEquals(afterFirst.size(), afterSecond.size());
        assertEquals(Set.copyOf(afterFirst), Set.copyOf(afterSecond));
        assertEquals(List.of("LOCK_ACQUIRED", "DIGEST_UPDATED", "LOCK_RELEASED"),
                HistoryTable.read(dynamoDb, table, "acme-tfstate/network/terraform.tfstate").stream()
                        .map(item -> item.get("event").s()).toList());
        assertEquals(2, batchWrites.size(), "one BatchWriteItem request for each delivery of the batch");
    }

    @Test
    void aThrottledHistoryWriteFailsTheBatchFromTheFirstRecordNotWritten() {
        String throttledPath = "acme-tfstate/stack-25/terraform.tfstate";
        DynamoDbClient throttled = dynamoDb(new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof BatchWriteItemRequest request && request.requestItems().values().stream()
                        .flatMap(List::stream)
                        .anyMatch(write -> write.putRequest().item().get("statePath").s().equals(throttledPath))) {
                    throw ProvisionedThroughputExceededException.builder()
                            .statusCode(400)
                            .awsErrorDetails(AwsErrorDetails.builder()
                                    .errorCode("ProvisionedThroughputExceededException")
                                    .errorMessage("The level of configured provisioned throughput for the table was exceeded.")
                                    .serviceName("DynamoDb")
                                    .sdkHttpResponse(SdkHttpResponse.builder().statusCode(400).build())
                                    .build())
                            .build();
                }
            }
        });

        StreamsEventResponse response = handle(throttled, locks(0, 30));

        assertEquals(1, response.getBatchItemFailures().size());
        assertEquals("1025", response.getBatchItemFailures().get(0).getItemIdentifier());
        assertEquals(25, HistoryTable.count(throttled, table), "the first 25 records' events were written");

        // Lambda retries from the reported record; this time the table takes the writes.
        StreamsEventResponse retried = handle(dynamoDb(), locks(25, 5));
        assertTrue(retried.getBatchItemFailures().isEmpty());
        assertEquals(30, HistoryTable.count(throttled, table));
    }

    @Test
    void unprocessedItemsAreWrittenAgainUntilTheyAreProcessed() {
        AtomicInteger calls = new AtomicInteger();
        DynamoDbClient partial = dynamoDb(new ExecutionInterceptor() {
            @Override
            public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
                if (context.response() instanceof BatchWriteItemResponse response && calls.incrementAndGet() == 1) {
                    SdkRequest request = context.request();
                    List<WriteRequest> writes = ((BatchWriteItemRequest) request).requestItems().get(table);
                    return response.toBuilder()
                            .unprocessedItems(Map.of(table, writes.subList(writes.size() - 3, writes.size())))
                            .build();
                }
                return context.response();
            }
        });

        StreamsEventResponse response = handle(partial, locks(0, 10));

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(2, batchWrites.size());
        assertEquals(10, batchWrites.get(0).requestItems().get(table).size());
        assertEquals(3, batchWrites.get(1).requestItems().get(table).size());
        assertEquals(10, HistoryTable.count(partial, table));
    }
}

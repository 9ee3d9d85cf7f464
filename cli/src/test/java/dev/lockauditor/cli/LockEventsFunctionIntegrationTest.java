package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.config.Environments;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.LocalContext;
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
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/** LockEventsFunction's handler writing history to DynamoDB on moto, with events read by the Lambda runtime's serializer. */
class LockEventsFunctionIntegrationTest {

    static final AtomicInteger TABLES = new AtomicInteger();
    static final Path EVENTS = Path.of("..", "events");

    final String table = "history-" + TABLES.incrementAndGet();
    final List<PutItemRequest> historyPuts = new ArrayList<>();
    final java.io.ByteArrayOutputStream metrics = new java.io.ByteArrayOutputStream();

    /** The clients the functions use, on moto, recording every history PutItem request. */
    AwsClients aws(ExecutionInterceptor... interceptors) {
        AwsClients aws = AwsClients.forTools(MotoServer.environment()).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutItemRequest request && request.conditionExpression() != null
                        && request.item().containsKey("writeId")) {
                    historyPuts.add(request);
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
                new Metrics(new PrintStream(metrics, true), Environments.only("test"), Clock.systemUTC())));
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
            // Every sample that records history without raising an alert (this handler has no topic to publish to).
            for (Path file : files.filter(f -> f.getFileName().toString().matches("(lock|digest|foreign).*\\.json"))
                    .filter(f -> !f.getFileName().toString().equals("lock-removed-by-ttl.json")).sorted().toList()) {
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
        List<Map<String, AttributeValue>> afterFirst = HistoryTable.entries(dynamoDb, table);
        StreamsEventResponse second = handle(dynamoDb, allSamples());
        List<Map<String, AttributeValue>> afterSecond = HistoryTable.entries(dynamoDb, table);

        assertTrue(first.getBatchItemFailures().isEmpty());
        assertTrue(second.getBatchItemFailures().isEmpty());
        assertEquals(4, afterFirst.size(), "acquired (x2), digest updated, released");
        assertEquals(afterFirst.size(), afterSecond.size());
        assertEquals(afterFirst.stream().map(item -> item.get("eventKey").s()).collect(java.util.stream.Collectors.toSet()),
                afterSecond.stream().map(item -> item.get("eventKey").s()).collect(java.util.stream.Collectors.toSet()));
        assertEquals(List.of("LOCK_ACQUIRED", "DIGEST_UPDATED", "LOCK_RELEASED"),
                HistoryTable.read(dynamoDb, table, "acme-tfstate/network/terraform.tfstate").stream()
                        .map(item -> item.get("event").s()).toList());
        assertEquals(2 * 7, historyPuts.size(),
                "one conditional PutItem per Terraform record and delivery (three samples repeat lock-table-apply.json)");
        assertEquals(List.of("LocksAcquired=2", "LocksAcquired=0"), metric("LocksAcquired"),
                "the redelivered batch counted nothing");
    }

    @Test
    void aThrottledHistoryWriteFailsTheBatchFromTheFirstRecordNotWrittenAndTheRetryCountsOnlyWhatIsNew() {
        String throttledPath = "acme-tfstate/stack-25/terraform.tfstate";
        DynamoDbClient throttled = dynamoDb(new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutItemRequest request && request.item().containsKey("statePath")
                        && request.item().get("statePath").s().equals(throttledPath)) {
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
        assertEquals(List.of("LocksAcquired=25", "LocksAcquired=5"), metric("LocksAcquired"), "each lock counted once");
    }

    @Test
    void aWriteWhoseAnswerWasLostIsRetriedByTheSdkAndStillCountedOnce() {
        AtomicInteger answers = new AtomicInteger();
        DynamoDbClient losing = dynamoDb(new ExecutionInterceptor() {
            @Override
            public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutItemRequest && answers.incrementAndGet() == 1) {
                    // The item was written; its answer never arrives (a reset connection): the SDK sends it again.
                    return context.httpResponse().toBuilder().statusCode(503).build();
                }
                return context.httpResponse();
            }
        });

        StreamsEventResponse response = handle(losing, locks(0, 3));

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(3, HistoryTable.count(losing, table));
        assertEquals(List.of("LocksAcquired=3"), metric("LocksAcquired"), "the retried write is the same write: counted");
    }

    /** A metric's value in each invocation's embedded-metric-format line, in order. */
    List<String> metric(String name) {
        List<String> values = new ArrayList<>();
        for (String line : metrics.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                com.fasterxml.jackson.databind.JsonNode emf = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                if (emf.has("Environment") && !emf.has("AlertType")) {
                    values.add(name + "=" + emf.path(name).asInt(0));
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return values;
    }
}

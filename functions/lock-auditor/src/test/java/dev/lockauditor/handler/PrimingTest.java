package dev.lockauditor.handler;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.metrics.Metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SnapStart priming goes down the same paths as real events, on its backend in memory, and raises nothing. */
class PrimingTest {

    @Test
    void aPrimedStateWriteIsReadCheckedAndRecorded() throws Exception {
        Components components = Priming.components();

        TestContext context = new TestContext();
        JsonNode response = SqsDelivery.invoke(new StateEventsHandler(components),
                Priming.objectEvent().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), context);

        assertEquals(1, response.get("recorded").asInt(), context.lines::toString);
        List<HistoryEvent> history = ((InMemoryHistoryStore) components.history()).history(PrimingBackend.PATH);
        assertEquals(List.of(EventType.STATE_WRITTEN), history.stream().map(HistoryEvent::type).toList(),
                "locked and its digest matching: no alert");
        assertEquals(1L, history.get(0).fields().get("serial"));
    }

    @Test
    void primedLockRecordsAreRecordedAndTheirDigestMatches() {
        Components components = Priming.components();
        TestContext context = new TestContext();
        var event = new com.amazonaws.services.lambda.runtime.events.DynamodbEvent();
        event.setRecords(Priming.records());

        var response = new LockEventsHandler(components).handleRequest(event, context);

        assertTrue(response.getBatchItemFailures().isEmpty());
        List<HistoryEvent> history = ((InMemoryHistoryStore) components.history()).history(PrimingBackend.PATH);
        assertEquals(List.of(EventType.LOCK_ACQUIRED, EventType.DIGEST_UPDATED, EventType.LOCK_RELEASED),
                history.stream().map(HistoryEvent::type).filter(t -> !(t instanceof AlertType)).toList());
        assertTrue(history.stream().noneMatch(e -> e.type() instanceof AlertType));
    }

    @Test
    void theAwsClientsRequestPathsAreDrivenWithoutAnyRequestLeavingTheProcess() throws Exception {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        var server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            received.incrementAndGet();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.start();
        try {
            java.util.Map<String, String> env = java.util.Map.of("AWS_REGION", "eu-west-1",
                    "AWS_ENDPOINT_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "AWS_ACCESS_KEY_ID", "priming", "AWS_SECRET_ACCESS_KEY", "priming",
                    "LOCK_TABLE", "terraform-locks", "STATE_BUCKET", "acme-tfstate", "HISTORY_TABLE", "history",
                    "ALERT_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:alerts",
                    "LOCK_TABLE_STREAM_ARN", "arn:aws:dynamodb:eu-west-1:123456789012:table/terraform-locks/stream/2025-03-14T09:00:00.000",
                    "STATE_EVENTS_QUEUE_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/123456789012/events");
            List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
            var aws = dev.lockauditor.aws.AwsClients.forTools(env).withInterceptor(
                    new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                        @Override
                        public void beforeTransmission(software.amazon.awssdk.core.interceptor.Context.BeforeTransmission c,
                                                       software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
                            sent.add(a.getAttribute(software.amazon.awssdk.core.interceptor.SdkExecutionAttribute.OPERATION_NAME));
                        }
                    });
            var config = dev.lockauditor.config.Config.from(env);
            var metrics = new java.io.ByteArrayOutputStream();
            Components real = Components.of(config, aws, Components.historyStore(config, aws),
                    Components.publisher(config, aws), new dev.lockauditor.metrics.Metrics(
                            new java.io.PrintStream(metrics, true), dev.lockauditor.config.Environments.only("test"),
                            java.time.Clock.systemUTC()));

            Priming.sdk(real);
            real.metrics().flush();

            assertTrue(sent.containsAll(List.of("Query", "PutItem", "UpdateItem", "GetItem", "Scan", "HeadObject",
                    "GetObject", "ListObjectsV2", "DescribeStream", "Publish", "SendMessage")), sent.toString());
            assertEquals(0, received.get(), "no request reached the endpoint");
            assertEquals("", metrics.toString(), "priming counts nothing");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theRuntimesOwnSerializerIsPrimedWithASampleOfEachTypedEventThatReadsAsThatEvent() throws Exception {
        assertTrue(Priming.runtimeSerialization(com.amazonaws.services.lambda.runtime.events.SQSEvent.class,
                Priming.sqsEvent(), new com.amazonaws.services.lambda.runtime.events.SQSBatchResponse(List.of())));
        assertTrue(Priming.runtimeSerialization(com.amazonaws.services.lambda.runtime.events.DynamodbEvent.class,
                Priming.dynamoDbEvent(), new com.amazonaws.services.lambda.runtime.events.StreamsEventResponse(List.of())));
        assertTrue(Priming.runtimeSerialization(com.amazonaws.services.lambda.runtime.events.SNSEvent.class,
                Priming.snsEvent(), null));

        ClassLoader loader = getClass().getClassLoader();
        var sqs = com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers.serializerFor(
                com.amazonaws.services.lambda.runtime.events.SQSEvent.class, loader).fromJson(Priming.sqsEvent());
        assertEquals("Object Created", new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(sqs.getRecords().get(0).getBody()).path("detail-type").asText());
        assertEquals("1", sqs.getRecords().get(0).getMessageAttributes().get("lockAuditorRecheck").getStringValue());
        var stream = com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers.serializerFor(
                com.amazonaws.services.lambda.runtime.events.DynamodbEvent.class, loader).fromJson(Priming.dynamoDbEvent());
        assertEquals(PrimingBackend.PATH, stream.getRecords().get(0).getDynamodb().getNewImage().get("LockID").getS());
        var sns = com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers.serializerFor(
                com.amazonaws.services.lambda.runtime.events.SNSEvent.class, loader).fromJson(Priming.snsEvent());
        assertEquals(Priming.alertDocument(), sns.getRecords().get(0).getSNS().getMessage());
    }
}

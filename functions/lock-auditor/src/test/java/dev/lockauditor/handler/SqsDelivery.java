package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.audit.Rechecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * StateEventsFunction invoked as Lambda invokes it from the state events queue: the SQS event's JSON (the sample as
 * it is, or an SQS envelope around a bare document, as the queue carries it) deserialized by the runtime's own
 * serializer, and what each message came to read from the function's log.
 */
final class SqsDelivery {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUMMARY = "DEBUG SQS message ";

    private SqsDelivery() {
    }

    /** An SQS event's JSON with one message whose body is {@code document}. */
    static byte[] envelope(byte[] document, int attempt) throws IOException {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject()
                .put("messageId", UUID.randomUUID().toString())
                .put("receiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a")
                .put("body", new String(document, StandardCharsets.UTF_8))
                .put("md5OfBody", "7b270e59b47ff90a553787216d55d91d")
                .put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:lock-auditor-state-events")
                .put("awsRegion", "us-east-1");
        record.putObject("attributes").put("ApproximateReceiveCount", "1").put("SentTimestamp", "1741944413000");
        ObjectNode attributes = record.putObject("messageAttributes");
        if (attempt > 0) {
            attributes.putObject(Rechecks.ATTEMPT_ATTRIBUTE).put("stringValue", Integer.toString(attempt))
                    .put("dataType", "Number");
        }
        return JSON.writeValueAsBytes(event);
    }

    /**
     * Invokes the handler with {@code payload}: an SQS event, or a bare document, which is put in an envelope first.
     *
     * @return what the messages came to (read from, and taken out of, the log) ({@code recorded}, {@code skipped}, ... summed) and the
     *         {@code batchItemFailures}
     */
    static JsonNode invoke(StateEventsHandler handler, byte[] payload, TestContext context) throws IOException {
        JsonNode parsed = JSON.readTree(payload);
        boolean sqs = parsed.path("Records").path(0).path("eventSource").asText().equals("aws:sqs");
        String event = new String(sqs ? payload : envelope(payload, 0), StandardCharsets.UTF_8);
        int from = context.lines.size();
        SQSBatchResponse response = handler.handleRequest(LambdaEventSerializers.serializerFor(SQSEvent.class,
                SqsDelivery.class.getClassLoader()).fromJson(event), context);
        ObjectNode result = JSON.createObjectNode();
        List<String> lines = context.lines.subList(from, context.lines.size());
        for (String line : lines) {
            if (line.startsWith(SUMMARY)) {
                JsonNode counts = JSON.readTree(line.substring(line.indexOf(": ") + 2));
                counts.fields().forEachRemaining(count -> result.put(count.getKey(),
                        result.path(count.getKey()).asInt(0) + count.getValue().asInt()));
            }
        }
        // Read, the summaries leave the log the tests look at: what is left is what operators are told.
        lines.removeIf(line -> line.startsWith(SUMMARY));
        result.set("batchItemFailures", JSON.valueToTree(response.getBatchItemFailures()));
        return result;
    }
}

package dev.lockauditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.amazonaws.services.lambda.runtime.Context;
import dev.lockauditor.handler.StateEventsHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the state bucket's notifications from an SQS queue the way Lambda's SQS event source mapping does:
 * a batch of messages becomes one SQS event for StateEventsFunction's handler, the messages it handled are
 * deleted, and those it reports as failed become visible again for a retry.
 */
final class StateEventsConsumer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RETRY_AFTER_SECONDS = 2;

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final String region;
    private final StateEventsHandler handler;
    private final Supplier<Context> context;

    StateEventsConsumer(SqsClient sqs, String queueUrl, String queueArn, String region, StateEventsHandler handler,
                        Supplier<Context> context) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.region = region;
        this.handler = handler;
        this.context = context;
    }

    /** Receives one batch (waiting up to a second) and handles it; returns how many messages it received. */
    int pollOnce() {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(1)).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        Set<String> failed = new HashSet<>();
        for (JsonNode failure : handle(messages).path("batchItemFailures")) {
            failed.add(failure.path("itemIdentifier").asText());
        }
        for (Message message : messages) {
            if (failed.contains(message.messageId())) {
                sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                        .visibilityTimeout(RETRY_AFTER_SECONDS));
            } else {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return messages.size();
    }

    private JsonNode handle(List<Message> messages) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            records.addObject()
                    .put("messageId", message.messageId())
                    .put("receiptHandle", message.receiptHandle())
                    .put("body", message.body())
                    .put("md5OfBody", message.md5OfBody())
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", queueArn)
                    .put("awsRegion", region);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, context.get());
            return JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

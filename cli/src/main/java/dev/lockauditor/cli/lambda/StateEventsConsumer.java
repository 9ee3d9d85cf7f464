package dev.lockauditor.cli.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.handler.StateEventsHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the state bucket's notifications from an SQS queue the way Lambda runs StateEventsFunction: each message
 * an invocation of its own, several at once. A message handled is deleted; one the handler reports as failed
 * becomes visible again shortly, for a retry. An event whose checks cannot be decided yet comes back on the same
 * queue, delayed, as the handler sends it.
 */
public final class StateEventsConsumer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONCURRENCY = 8;
    private static final int RETRY_AFTER_SECONDS = 2;

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final String region;
    private final StateEventsHandler handler;
    private final Supplier<Context> context;
    private final PrintStream err;
    private final ExecutorService invocations = Executors.newFixedThreadPool(CONCURRENCY, runnable -> {
        Thread thread = new Thread(runnable, "lock-auditor-state-events");
        thread.setDaemon(true);
        return thread;
    });
    private final Semaphore free = new Semaphore(CONCURRENCY);

    public StateEventsConsumer(SqsClient sqs, String queueUrl, String queueArn, String region, StateEventsHandler handler,
                        Supplier<Context> context, PrintStream err) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.region = region;
        this.handler = handler;
        this.context = context;
        this.err = err;
    }

    /** Receives what it has room for (waiting up to a second) and starts handling it; returns how many. */
    public int pollOnce() {
        int room = Math.min(10, free.availablePermits());
        if (room == 0) {
            return 0;
        }
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(room)
                .messageAttributeNames("All").waitTimeSeconds(1)).messages();
        for (Message message : messages) {
            free.acquireUninterruptibly();
            invocations.submit(() -> {
                try {
                    invoke(message);
                } finally {
                    free.release();
                }
            });
        }
        return messages.size();
    }

    private void invoke(Message message) {
        try {
            ObjectNode event = JSON.createObjectNode();
            ObjectNode record = event.putArray("Records").addObject()
                    .put("messageId", message.messageId())
                    .put("receiptHandle", message.receiptHandle())
                    .put("body", message.body());
            // As Lambda's SQS event carries them: {"name": {"stringValue": ..., "dataType": ...}}.
            ObjectNode attributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> attributes.putObject(name)
                    .put("stringValue", value.stringValue()).put("dataType", value.dataType()));
            record.put("md5OfBody", message.md5OfBody())
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", queueArn)
                    .put("awsRegion", region);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, context.get());
            JsonNode response = JSON.readTree(out.toByteArray());
            if (response.path("batchItemFailures").isEmpty()) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            } else {
                sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                        .visibilityTimeout(RETRY_AFTER_SECONDS));
            }
        } catch (IOException | RuntimeException e) {
            err.println("lock-auditor: a state bucket event failed and will be retried: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        invocations.shutdownNow();
    }
}

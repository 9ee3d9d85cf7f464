package dev.lockauditor.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Reads the state bucket's notifications from an SQS queue the way Lambda runs StateEventsFunction: each message
 * an invocation of its own, several at once. A message handled is deleted; one the handler reports as failed
 * becomes visible again shortly, for a retry. An event whose checks cannot be decided yet comes back on the same
 * queue, delayed, as the handler sends it.
 */
public final class StateEventsConsumer implements AutoCloseable {

    private static final int CONCURRENCY = 8;
    private static final int RETRY_AFTER_SECONDS = 2;

    /** The queue read: its client, URL, ARN and region (as Lambda's SQS event names them). */
    public record Queue(SqsClient sqs, String url, String arn, String region) {
    }

    private final Queue queue;
    private final RequestHandler<SQSEvent, SQSBatchResponse> handler;
    private final Supplier<Context> context;
    private final PrintStream err;
    private final ExecutorService invocations = Executors.newFixedThreadPool(CONCURRENCY, runnable -> {
        Thread thread = new Thread(runnable, "lock-auditor-state-events");
        thread.setDaemon(true);
        return thread;
    });
    private final Semaphore free = new Semaphore(CONCURRENCY);

    public StateEventsConsumer(Queue queue, RequestHandler<SQSEvent, SQSBatchResponse> handler, Supplier<Context> context, PrintStream err) {
        this.queue = queue;
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
        List<Message> messages = queue.sqs().receiveMessage(b -> b.queueUrl(queue.url()).maxNumberOfMessages(room)
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
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(queue.arn());
            record.setAwsRegion(queue.region());
            Map<String, SQSEvent.MessageAttribute> attributes = new HashMap<>();
            message.messageAttributes().forEach((name, value) -> {
                SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
                attribute.setStringValue(value.stringValue());
                attribute.setDataType(value.dataType());
                attributes.put(name, attribute);
            });
            record.setMessageAttributes(attributes);
            SQSEvent event = new SQSEvent();
            event.setRecords(List.of(record));
            if (handler.handleRequest(event, context.get()).getBatchItemFailures().isEmpty()) {
                queue.sqs().deleteMessage(b -> b.queueUrl(queue.url()).receiptHandle(message.receiptHandle()));
            } else {
                queue.sqs().changeMessageVisibility(b -> b.queueUrl(queue.url()).receiptHandle(message.receiptHandle())
                        .visibilityTimeout(RETRY_AFTER_SECONDS));
            }
        } catch (RuntimeException e) {
            err.println("lock-auditor: a state bucket event failed and will be retried: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        invocations.shutdownNow();
    }
}

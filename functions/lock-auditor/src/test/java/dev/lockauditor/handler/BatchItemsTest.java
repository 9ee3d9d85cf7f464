package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The partial batch responses, driven by the repository's samples as the runtime loads them. */
class BatchItemsTest {

    final TestContext context = new TestContext();
    final List<String> handled = new ArrayList<>();

    static List<DynamodbStreamRecord> stream() {
        DynamodbEvent event = EventLoader.loadDynamoDbEvent("events/lock-table-apply.json");
        return event.getRecords();
    }

    static List<SQSEvent.SQSMessage> queue() {
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        messages.addAll(EventLoader.loadSQSEvent("events/sqs-s3-eventbridge.json").getRecords());
        messages.addAll(EventLoader.loadSQSEvent("events/sqs-s3-notification.json").getRecords());
        return messages;
    }

    @Test
    void aStreamStopsAtItsFirstFailureReportsItAndKeepsWhatWasDoneBefore() {
        List<DynamodbStreamRecord> records = stream();
        DynamodbStreamRecord failing = records.get(1);

        BatchItems.StreamBatch batch = BatchItems.stream(records, record -> {
            if (record == failing) {
                throw new IllegalStateException("throttled");
            }
            handled.add(record.getEventID());
        }, context.getLogger());

        assertEquals(List.of(records.get(0).getEventID()), handled, "nothing after the failed record is handled");
        assertEquals(1, batch.response().getBatchItemFailures().size());
        assertEquals(failing.getDynamodb().getSequenceNumber(),
                batch.response().getBatchItemFailures().get(0).getItemIdentifier());
        assertEquals(records.get(0), batch.lastDone());
        assertTrue(context.lines.get(0).startsWith("ERROR stream record " + failing.getEventID() + " failed"),
                context.lines.toString());
    }

    @Test
    void aStreamWhoseFirstRecordFailsHasNothingDone() {
        List<DynamodbStreamRecord> records = stream();

        BatchItems.StreamBatch batch = BatchItems.stream(records, record -> {
            throw new java.io.IOException("unreachable");
        }, context.getLogger());

        assertNull(batch.lastDone());
        assertEquals(records.get(0).getDynamodb().getSequenceNumber(),
                batch.response().getBatchItemFailures().get(0).getItemIdentifier());
    }

    @Test
    void aWholeStreamDoneReportsNothing() {
        List<DynamodbStreamRecord> records = stream();

        BatchItems.StreamBatch batch = BatchItems.stream(records, record -> handled.add(record.getEventID()),
                context.getLogger());

        assertEquals(records.size(), handled.size());
        assertTrue(batch.response().getBatchItemFailures().isEmpty());
        assertEquals(records.get(records.size() - 1), batch.lastDone());
    }

    @Test
    void aQueueReportsEachFailedMessageAndHandlesTheOthers() {
        List<SQSEvent.SQSMessage> messages = queue();
        SQSEvent.SQSMessage failing = messages.get(0);

        SQSBatchResponse response = BatchItems.queue(messages, message -> {
            if (message == failing) {
                throw new IllegalStateException("history unreachable");
            }
            handled.add(message.getMessageId());
        }, context.getLogger());

        assertEquals(List.of(messages.get(1).getMessageId()), handled, "a failed message does not stop the others");
        assertEquals(List.of(failing.getMessageId()), response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
    }

    @Test
    void anEmptyBatchIsDone() {
        assertTrue(BatchItems.queue(null, message -> handled.add("x"), context.getLogger()).getBatchItemFailures()
                .isEmpty());
        assertTrue(BatchItems.stream(List.of(), record -> handled.add("x"), context.getLogger()).response()
                .getBatchItemFailures().isEmpty());
        assertEquals(List.of(), handled);
    }
}

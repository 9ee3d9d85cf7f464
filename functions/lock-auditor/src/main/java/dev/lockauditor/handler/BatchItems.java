package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.util.ArrayList;
import java.util.List;

/**
 * The partial batch response, in one place: a per-record function is run on each record, and a record whose function
 * threw (a fault a retry can fix: the function skips what is not Terraform's itself) is reported for a retry.
 *
 * <p>A queue's messages are independent: each failed one is reported, the others are done. A stream is ordered: the
 * records after a failed one are not handled, and Lambda retries from the failed one; what was done before it
 * stands (handling a record twice changes nothing).
 */
final class BatchItems {

    /** What is done with one record; throwing reports it for a retry. */
    @FunctionalInterface
    interface PerRecord<T> {
        void handle(T record) throws Exception;
    }

    /**
     * A stream batch's answer, and the last record done with before the first failure (null if none was), up to which
     * the stream is recorded.
     */
    record StreamBatch(StreamsEventResponse response, DynamodbStreamRecord lastDone) {
    }

    private BatchItems() {
    }

    static SQSBatchResponse queue(List<SQSMessage> messages, PerRecord<SQSMessage> each, LambdaLogger log) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSMessage message : messages == null ? List.<SQSMessage>of() : messages) {
            try {
                each.handle(message);
            } catch (Exception e) {
                log.log("SQS message " + message.getMessageId() + " failed and will be retried: " + describe(e),
                        LogLevel.ERROR);
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    static StreamBatch stream(List<DynamodbStreamRecord> records, PerRecord<DynamodbStreamRecord> each,
                              LambdaLogger log) {
        DynamodbStreamRecord lastDone = null;
        for (DynamodbStreamRecord record : records == null ? List.<DynamodbStreamRecord>of() : records) {
            try {
                each.handle(record);
                lastDone = record;
            } catch (Exception e) {
                String sequenceNumber = record.getDynamodb() == null ? null : record.getDynamodb().getSequenceNumber();
                log.log("stream record " + record.getEventID() + " failed; retrying from it: " + describe(e),
                        LogLevel.ERROR);
                return new StreamBatch(new StreamsEventResponse(
                        List.of(new StreamsEventResponse.BatchItemFailure(sequenceNumber))), lastDone);
            }
        }
        return new StreamBatch(new StreamsEventResponse(List.of()), lastDone);
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

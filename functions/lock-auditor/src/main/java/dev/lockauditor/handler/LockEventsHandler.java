package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.lockauditor.audit.LockTableEvents;
import dev.lockauditor.audit.Outcome;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.terraform.MalformedException;
import java.util.List;

/**
 * {@code LockEventsFunction}: the lock table's DynamoDB stream, one record at a time, into {@link LockTableEvents}.
 * A record that is not Terraform's is logged with the reason and skipped; a fault a retry can fix reports its record
 * as the batch item failure, so that Lambda retries from there ({@link BatchItems}). The records done with move the
 * lock stream's watermark, which the state events' checks wait for.
 */
public class LockEventsHandler extends SnapStartHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    private final LockTableEvents lockTable;
    private final Bookkeeping bookkeeping;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public LockEventsHandler() {
        this(fromEnvironment());
    }

    public LockEventsHandler(Components components) {
        super(components);
        this.lockTable = components.lockTableEvents();
        this.bookkeeping = components.bookkeeping();
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return process(event.getRecords(), context.getLogger());
    }

    private StreamsEventResponse process(List<DynamodbStreamRecord> records, LambdaLogger log) {
        return flushingMetrics(() -> {
            BatchItems.StreamBatch batch = BatchItems.stream(records, record -> record(record, log), log);
            DynamodbStreamRecord last = batch.lastDone();
            if (last != null) {
                bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(
                        last.getDynamodb().getApproximateCreationDateTime().toInstant(),
                        last.getDynamodb().getSequenceNumber()));
            }
            return batch.response();
        });
    }

    private void record(DynamodbStreamRecord record, LambdaLogger log) throws HistoryStore.WriteFailure {
        Outcome outcome;
        try {
            outcome = lockTable.changed(StreamRecords.toChange(record));
        } catch (MalformedException e) {
            outcome = new Outcome.Skipped(e.getMessage());
        } catch (HistoryStore.WriteFailure failure) {
            metrics().recordHistory(failure.newlyWritten());
            metrics().count("HistoryWriteFailures", 1);
            throw failure;
        }
        if (outcome instanceof Outcome.Recorded recorded) {
            metrics().recordHistory(recorded.events());
        } else {
            log.log("skipped stream record " + record.getEventID() + ": " + ((Outcome.Skipped) outcome).reason(),
                    LogLevel.WARN);
            metrics().count("RecordsSkipped", 1);
        }
    }

    @Override
    void primeOnce() {
        new LockEventsHandler(Priming.components()).process(Priming.records(), Priming.LOGGER);
        Priming.runtimeSerialization(DynamodbEvent.class, Priming.dynamoDbEvent(), new StreamsEventResponse(List.of()));
    }
}

package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.lockauditor.audit.LockTableAuditor;
import dev.lockauditor.audit.LockTableAuditor.Recorded;
import dev.lockauditor.audit.LockTableAuditor.Skipped;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.MalformedException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code LockEventsFunction}: the lock table's DynamoDB stream into lock and digest history.
 *
 * <p>A record that is not Terraform's is logged with the reason and skipped. When history cannot be
 * written, the first record whose events are missing is reported as a batch item failure, so that
 * Lambda retries from there; writing a record's events again changes nothing.
 */
public class LockEventsHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse>, Resource {

    private final LockTableAuditor auditor;
    private final HistoryStore history;
    private final Metrics metrics;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public LockEventsHandler() {
        this(Config.fromEnvironment(), AwsClients.forLambda(System.getenv()));
        Core.getGlobalContext().register(this);
    }

    public LockEventsHandler(Config config, AwsClients aws) {
        this(new LockTableAuditor(config.workspaceKeyPrefix()),
                new DynamoDbHistoryStore(aws.dynamoDb(), Config.required("HISTORY_TABLE", config.historyTable()),
                        Duration.ofDays(config.historyRetentionDays())),
                new Metrics(System.out, config.environmentName(), Clock.systemUTC()));
    }

    public LockEventsHandler(LockTableAuditor auditor, HistoryStore history, Metrics metrics) {
        this.auditor = auditor;
        this.history = history;
        this.metrics = metrics;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        List<DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        return process(records, history, metrics, context.getLogger());
    }

    private StreamsEventResponse process(List<DynamodbStreamRecord> records, HistoryStore store, Metrics metrics,
                                        LambdaLogger log) {
        List<HistoryEvent> events = new ArrayList<>();
        List<DynamodbStreamRecord> recordOfEvent = new ArrayList<>();
        for (DynamodbStreamRecord record : records) {
            for (HistoryEvent recorded : audit(record, metrics, log)) {
                events.add(recorded);
                recordOfEvent.add(record);
            }
        }
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        try {
            store.write(events);
            metrics.recordHistory(events);
        } catch (HistoryStore.WriteFailure failure) {
            DynamodbStreamRecord first = recordOfEvent.get(failure.firstUnwritten());
            log.log("history write failed; retrying from record " + first.getEventID() + ": " + failure.getMessage(),
                    LogLevel.ERROR);
            metrics.recordHistory(events.subList(0, failure.firstUnwritten()));
            metrics.count("HistoryWriteFailures", 1);
            failures.add(new StreamsEventResponse.BatchItemFailure(first.getDynamodb().getSequenceNumber()));
        }
        metrics.flush();
        return new StreamsEventResponse(failures);
    }

    private List<HistoryEvent> audit(DynamodbStreamRecord record, Metrics metrics, LambdaLogger log) {
        String reason;
        try {
            LockTableAuditor.Outcome outcome = auditor.audit(StreamRecords.toChange(record));
            if (outcome instanceof Recorded recorded) {
                return recorded.events();
            }
            reason = ((Skipped) outcome).reason();
        } catch (MalformedException e) {
            reason = e.getMessage();
        } catch (RuntimeException e) {
            reason = "could not be audited (" + e.getClass().getSimpleName() + ")";
        }
        log.log("skipped stream record " + record.getEventID() + ": " + reason, LogLevel.WARN);
        metrics.count("RecordsSkipped", 1);
        return List.of();
    }

    /** SnapStart: runs the whole record path once before the snapshot, writing nowhere. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        process(Priming.records(), events -> { }, Priming.METRICS, Priming.LOGGER);
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: clients resolve credentials on first use.
    }
}

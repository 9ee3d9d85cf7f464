package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.lockauditor.audit.CallerJoin;
import dev.lockauditor.audit.LockIndex;
import dev.lockauditor.audit.LockTableAuditor;
import dev.lockauditor.audit.LockTableChecks;
import dev.lockauditor.audit.LockTableAuditor.Recorded;
import dev.lockauditor.audit.LockTableAuditor.Skipped;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.Facts;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.MalformedException;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code LockEventsFunction}: the lock table's DynamoDB stream into lock and digest history; a digest that
 * changed is checked against its state object.
 *
 * <p>What it has recorded moves the lock stream's watermark (kept in the history table), and the locks held now are
 * kept from their events, so that the sweep need not list the bucket. A record that is not Terraform's is logged
 * with the reason and skipped. When history cannot be
 * written or a digest cannot be checked, the first record concerned is reported as a batch item failure,
 * so that Lambda retries from there; doing a record again changes nothing and alerts nobody twice.
 */
public class LockEventsHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse>, Resource {

    private final LockTableAuditor auditor;
    private final HistoryStore history;
    private final LockTableChecks checks;
    private final CallerJoin callers;
    private final LockIndex index;
    private final Bookkeeping bookkeeping;
    private final Metrics metrics;
    private final Components components;
    /** Wired by Lambda, on AWS: SnapStart priming drives its clients too. */
    private boolean onAws;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public LockEventsHandler() {
        this(Components.forLambda(Config.fromEnvironment(), AwsClients.forLambda(System.getenv())));
        onAws = true;
        Core.getGlobalContext().register(this);
    }

    public LockEventsHandler(Components components) {
        this.auditor = components.lockTableAuditor();
        this.history = components.history();
        this.callers = components.callerJoin();
        this.checks = new LockTableChecks(components.digestVerifier(), components.staleLockNotices(), callers,
                components.alerts(), components.alertText(), components.clock());
        this.index = new LockIndex(components.bookkeeping());
        this.bookkeeping = components.bookkeeping();
        this.metrics = components.metrics();
        this.components = components;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return process(event.getRecords() == null ? List.of() : event.getRecords(), context.getLogger());
    }

    private StreamsEventResponse process(List<DynamodbStreamRecord> records, LambdaLogger log) {
        List<HistoryEvent> events = new ArrayList<>();
        List<DynamodbStreamRecord> recordOfEvent = new ArrayList<>();
        DynamodbStreamRecord unread = null;
        for (DynamodbStreamRecord record : records) {
            try {
                List<HistoryEvent> recorded = new ArrayList<>();
                for (HistoryEvent event : audit(record, log)) {
                    recorded.add(withCaller(event));
                }
                for (HistoryEvent event : recorded) {
                    events.add(event);
                    recordOfEvent.add(record);
                }
            } catch (RuntimeException e) {
                // Looking up a caller failed (the history table throttled or unreachable): retried from here.
                unread = record;
                log.log("reading the callers of record " + record.getEventID() + " failed; retrying from it: "
                        + e.getClass().getSimpleName() + ": " + e.getMessage(), LogLevel.ERROR);
                break;
            }
        }
        DynamodbStreamRecord failed = unread;
        try {
            metrics.recordHistory(history.write(events));
        } catch (HistoryStore.WriteFailure failure) {
            failed = recordOfEvent.get(failure.firstUnwritten());
            log.log("history write failed; retrying from record " + failed.getEventID() + ": " + failure.getMessage(),
                    LogLevel.ERROR);
            metrics.recordHistory(failure.newlyWritten());
            metrics.count("HistoryWriteFailures", 1);
            events = events.subList(0, failure.firstUnwritten());
        }
        for (int i = 0; i < events.size(); i++) {
            HistoryEvent event = events.get(i);
            try {
                index.recorded(List.of(event));
                checks.after(event);
            } catch (RuntimeException e) {
                DynamodbStreamRecord record = recordOfEvent.get(i);
                log.log("checking " + event.type().name() + " failed; retrying from record " + record.getEventID()
                        + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), LogLevel.ERROR);
                failed = failed == null || compare(record, failed) < 0 ? record : failed;
                break;
            }
        }
        recordedThrough(records, failed);
        metrics.flush();
        return new StreamsEventResponse(failed == null ? List.of()
                : List.of(new StreamsEventResponse.BatchItemFailure(failed.getDynamodb().getSequenceNumber())));
    }

    /**
     * Moves the lock stream's watermark to the last record of the batch that is done with (every record before the
     * failed one): the state events' checks wait for it to pass their time.
     */
    private void recordedThrough(List<DynamodbStreamRecord> records, DynamodbStreamRecord failed) {
        DynamodbStreamRecord last = null;
        for (DynamodbStreamRecord record : records) {
            if (failed != null && compare(record, failed) >= 0) {
                break;
            }
            if (record.getDynamodb() != null && record.getDynamodb().getApproximateCreationDateTime() != null
                    && record.getDynamodb().getSequenceNumber() != null) {
                last = record;
            }
        }
        if (last != null) {
            bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(
                    last.getDynamodb().getApproximateCreationDateTime().toInstant(), last.getDynamodb().getSequenceNumber()));
        }
    }

    /** A lock table change with its caller, when CloudTrail's record of it came first. */
    private HistoryEvent withCaller(HistoryEvent event) {
        if (event.caller() != null) {
            return event;
        }
        boolean digest = event.facts() instanceof Facts.DigestUpdated || event.facts() instanceof Facts.DigestRemoved;
        boolean deleted = event.facts() instanceof Facts.LockReleased || event.facts() instanceof Facts.DigestRemoved;
        String lockId = digest ? StateKeys.digestLockId(event.state().path()) : event.state().path();
        return callers.ofItem(lockId, deleted, event.at()).map(event::withCaller).orElse(event);
    }

    private static int compare(DynamodbStreamRecord a, DynamodbStreamRecord b) {
        String x = a.getDynamodb().getSequenceNumber();
        String y = b.getDynamodb().getSequenceNumber();
        return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }

    private List<HistoryEvent> audit(DynamodbStreamRecord record, LambdaLogger log) {
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

    /**
     * SnapStart: runs the whole record path once before the snapshot, on a backend in memory, then this function's
     * AWS clients' request paths, answered locally.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        new LockEventsHandler(Priming.components()).process(Priming.records(), Priming.LOGGER);
        if (onAws) {
            Priming.sdk(components);
        }
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: clients resolve credentials on first use.
    }
}

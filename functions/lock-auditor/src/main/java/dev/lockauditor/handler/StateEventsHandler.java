package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.audit.CallerJoin;
import dev.lockauditor.audit.ObjectEvent;
import dev.lockauditor.audit.Rechecks;
import dev.lockauditor.audit.StateEventAuditor;
import dev.lockauditor.aws.SqsRechecks;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code StateEventsFunction}: the state bucket's object events into state and lock file history, checked
 * against the auditing rules. It takes EventBridge events, classic S3 notifications, and either of them
 * delivered through SQS (then it answers with the SQS batch item failures).
 *
 * <p>Events for one key are handled in {@code sequencer} order, each once. An event that is not about a
 * Terraform state is logged with the reason and skipped. A fault a retry can fix fails the invocation (or,
 * through SQS, the message) so that it is retried. Nothing waits: a check that cannot be decided yet (a lock's
 * events may still come, a digest may still follow) brings its event back through the state events queue when it
 * can be decided.
 */
public class StateEventsHandler implements RequestStreamHandler, Resource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StateEventAuditor auditor;
    private final String stateBucket;
    private final Metrics metrics;
    private final Rechecks rechecks;
    private final CallerJoin callers;
    private final Components components;
    /** Wired by Lambda, on AWS: SnapStart priming drives its clients too. */
    private boolean onAws;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public StateEventsHandler() {
        this(Components.forLambda(Config.fromEnvironment(), AwsClients.forLambda(System.getenv())));
        onAws = true;
        Core.getGlobalContext().register(this);
    }

    public StateEventsHandler(Components components) {
        this.auditor = components.stateEventAuditor();
        this.stateBucket = components.config().stateBucket();
        this.metrics = components.metrics();
        this.rechecks = components.rechecks();
        this.callers = components.callerJoin();
        this.components = components;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        JSON.writeValue(output, handle(event, context.getLogger()));
    }

    ObjectNode handle(JsonNode event, LambdaLogger log) {
        try {
            JsonNode records = event.path("Records");
            if (records.isArray() && !records.isEmpty() && "aws:sqs".equals(records.get(0).path("eventSource").asText())) {
                return sqsBatch(records, log);
            }
            Audited audited = auditDocument(event, log, true);
            if (audited.recheckAt() != null) {
                try {
                    rechecks.later(event.toString(), audited.recheckAt(), 1);
                    audited.counts().put("rechecking", 1);
                } catch (IllegalStateException e) {
                    log.log("an event's checks cannot be decided before " + audited.recheckAt() + ": " + e.getMessage(),
                            LogLevel.WARN);
                    audited.counts().put("undecided", 1);
                }
            }
            return summary(audited.counts());
        } finally {
            metrics.flush();
        }
    }

    /**
     * SQS messages, each an S3 event (or one brought back to decide what could not be decided yet, which is
     * audited again and counted once): a message whose event could not be handled is reported for a retry.
     */
    private ObjectNode sqsBatch(JsonNode records, LambdaLogger log) {
        ObjectNode response = JSON.createObjectNode();
        ArrayNode failures = response.putArray("batchItemFailures");
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asText();
            int attempt = record.path("messageAttributes").path(SqsRechecks.ATTEMPT_ATTRIBUTE).path("stringValue").asInt(0);
            boolean firstTime = attempt == 0;
            String body = record.path("body").asText();
            try {
                Audited audited = auditDocument(JSON.readTree(body), log, firstTime);
                if (audited.recheckAt() != null) {
                    rechecks.later(body, audited.recheckAt(), attempt + 1);
                    log.log("SQS message " + messageId + " comes back at " + audited.recheckAt()
                            + " to decide what it cannot decide yet", LogLevel.INFO);
                }
            } catch (IOException e) {
                log.log("skipped SQS message " + messageId + ": its body is not JSON", LogLevel.WARN);
            } catch (RuntimeException e) {
                log.log("SQS message " + messageId + " failed and will be retried: " + e.getClass().getSimpleName()
                        + ": " + e.getMessage(), LogLevel.ERROR);
                failures.addObject().put("itemIdentifier", messageId);
            }
        }
        return response;
    }

    /**
     * One delivered document: the bucket's object events, or a CloudTrail record of a request on the backend (the
     * EventBridge rules of caller enrichment send those to the same queue), joined to the event it explains.
     */
    private Audited auditDocument(JsonNode document, LambdaLogger log, boolean firstTime) {
        if (!ApiCalls.isApiCall(document)) {
            return audit(documentEvents(document, log, firstTime), log, firstTime);
        }
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of("recorded", 0, "skipped", 0));
        String reason;
        try {
            CallerJoin.Outcome outcome = callers.record(ApiCalls.parse(document));
            if (!(outcome instanceof CallerJoin.Skipped skipped)) {
                counts.put(outcome instanceof CallerJoin.Joined ? "joined" : "kept", 1);
                return new Audited(counts, null);
            }
            reason = skipped.reason();
        } catch (MalformedException e) {
            reason = e.getMessage();
        }
        if (firstTime) {
            log.log("skipped CloudTrail record " + document.path("id").asText() + ": " + reason, LogLevel.WARN);
            metrics.count("EventsSkipped", 1);
        }
        counts.put("skipped", 1);
        return new Audited(counts, null);
    }

    private List<ObjectEvent> documentEvents(JsonNode document, LambdaLogger log, boolean firstTime) {
        try {
            return ObjectEvents.parse(document);
        } catch (MalformedException e) {
            log.log("skipped event: " + e.getMessage(), LogLevel.WARN);
            if (firstTime) {
                metrics.count("EventsSkipped", 1);
            }
            return List.of();
        }
    }

    /** What auditing a document's events recorded and skipped, and the earliest time an undecided check can be. */
    private record Audited(Map<String, Integer> counts, Instant recheckAt) {
    }

    /**
     * Audits events in sequencer order per key, each distinct event once, lock files first (a write in the same
     * batch is checked against its lock). Metrics count what history recorded for the first time, so an event
     * delivered again, retried or brought back is counted once.
     */
    private Audited audit(List<ObjectEvent> events, LambdaLogger log, boolean firstTime) {
        Map<String, ObjectEvent> distinct = new LinkedHashMap<>();
        events.stream()
                .sorted(Comparator.comparing((ObjectEvent e) -> !StateKeys.isLockFile(e.key()))
                        .thenComparing(ObjectEvent::bucket).thenComparing(ObjectEvent::key)
                        .thenComparing(ObjectEvent::orderedSequencer))
                .forEach(e -> distinct.putIfAbsent(e.bucket() + "\n" + e.key() + "\n" + e.sequencer() + "\n" + e.kind(), e));
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of("recorded", 0, "skipped", 0));
        Instant recheckAt = null;
        for (ObjectEvent event : distinct.values()) {
            String reason;
            if (!stateBucket.isEmpty() && !stateBucket.equals(event.bucket())) {
                reason = "bucket " + event.bucket() + " is not the state bucket " + stateBucket;
            } else {
                StateEventAuditor.Outcome outcome;
                try {
                    outcome = auditor.audit(event);
                } catch (HistoryStore.WriteFailure e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                if (outcome instanceof StateEventAuditor.Recorded recorded) {
                    metrics.recordHistory(recorded.events());
                    counts.merge("recorded", 1, Integer::sum);
                    if (recorded.recheckAt() != null && (recheckAt == null || recorded.recheckAt().isBefore(recheckAt))) {
                        recheckAt = recorded.recheckAt();
                    }
                    continue;
                }
                reason = ((StateEventAuditor.Skipped) outcome).reason();
            }
            if (firstTime) {
                log.log("skipped " + event.kind().name().toLowerCase() + " s3://" + event.bucket() + "/" + event.key()
                        + ": " + reason, LogLevel.WARN);
                metrics.count("EventsSkipped", 1);
            }
            counts.merge("skipped", 1, Integer::sum);
        }
        return new Audited(counts, recheckAt);
    }

    private static ObjectNode summary(Map<String, Integer> counts) {
        ObjectNode summary = JSON.createObjectNode();
        counts.forEach(summary::put);
        return summary;
    }

    /**
     * SnapStart: runs the event path once before the snapshot, on a backend in memory, then this function's AWS
     * clients' request paths, answered locally.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        new StateEventsHandler(Priming.components()).handle(Priming.objectEvent(), Priming.LOGGER);
        if (onAws) {
            Priming.sdk(components);
        }
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: clients resolve credentials on first use.
    }
}

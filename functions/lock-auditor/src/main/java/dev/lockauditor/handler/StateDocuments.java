package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.audit.BucketEvents;
import dev.lockauditor.audit.CallerJoin;
import dev.lockauditor.audit.Outcome;
import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One document the state events queue delivers, translated into calls: the bucket's object events (an EventBridge
 * event, or a classic notification with its records) into {@link BucketEvents}, or a CloudTrail record of a request on
 * the backend (the caller enrichment rules send those to the same queue) into {@link CallerJoin}. What is not
 * Terraform's is logged once with the reason and skipped; a fault a retry can fix is thrown.
 */
public record StateDocuments(BucketEvents bucketEvents, CallerJoin callers, String stateBucket, Metrics metrics) {

    /**
     * What a document came to: how many of its events were recorded, skipped, joined or kept, and the earliest time
     * a check that could not be decided yet can be (null when all were).
     */
    record Handled(Map<String, Integer> counts, Instant lookAgainAt) {
    }

    /** @param firstTime whether this is the document's first delivery (what it skips is logged and counted once) */
    Handled handle(JsonNode document, LambdaLogger log, boolean firstTime) throws HistoryStore.WriteFailure {
        if (ApiCalls.isApiCall(document)) {
            return apiCall(document, log, firstTime);
        }
        try {
            return audit(ObjectEvents.parse(document), log, firstTime);
        } catch (MalformedException e) {
            skipped("event: " + e.getMessage(), log, firstTime);
            return new Handled(counts("skipped"), null);
        }
    }

    private Handled apiCall(JsonNode document, LambdaLogger log, boolean firstTime) {
        String reason;
        try {
            CallerJoin.Outcome outcome = callers.record(ApiCalls.parse(document));
            if (!(outcome instanceof CallerJoin.Skipped skipped)) {
                return new Handled(counts(outcome instanceof CallerJoin.Joined ? "joined" : "kept"), null);
            }
            reason = skipped.reason();
        } catch (MalformedException e) {
            reason = e.getMessage();
        }
        skipped("CloudTrail record " + document.path("id").asText() + ": " + reason, log, firstTime);
        return new Handled(counts("skipped"), null);
    }

    /**
     * Audits events in sequencer order per key, each distinct event once, lock files first (a write in the same
     * document is checked against its lock). Metrics count what history recorded for the first time, so an event
     * delivered again, retried or brought back is counted once.
     */
    private Handled audit(List<ObjectEvent> events, LambdaLogger log, boolean firstTime)
            throws HistoryStore.WriteFailure {
        Map<String, ObjectEvent> distinct = new LinkedHashMap<>();
        events.stream()
                .sorted(Comparator.comparing((ObjectEvent e) -> !StateKeys.isLockFile(e.key()))
                        .thenComparing(ObjectEvent::bucket).thenComparing(ObjectEvent::key)
                        .thenComparing(ObjectEvent::orderedSequencer))
                .forEach(e -> distinct.putIfAbsent(e.bucket() + "\n" + e.key() + "\n" + e.sequencer() + "\n" + e.kind(), e));
        Map<String, Integer> counts = counts(null);
        Outcome.Recorded decided = Outcome.Recorded.decided(List.of());
        for (ObjectEvent event : distinct.values()) {
            Outcome outcome = stateBucket.isEmpty() || stateBucket.equals(event.bucket()) ? bucketEvents.audit(event)
                    : new Outcome.Skipped("bucket " + event.bucket() + " is not the state bucket " + stateBucket);
            if (outcome instanceof Outcome.Recorded recorded) {
                metrics.recordHistory(recorded.events());
                counts.merge("recorded", 1, Integer::sum);
                decided = decided.orLookAgainAt(recorded.lookAgainAt());
            } else {
                skipped(event.kind().name().toLowerCase() + " s3://" + event.bucket() + "/" + event.key() + ": "
                        + ((Outcome.Skipped) outcome).reason(), log, firstTime);
                counts.merge("skipped", 1, Integer::sum);
            }
        }
        return new Handled(counts, decided.lookAgainAt());
    }

    /** Recorded and skipped, and one of {@code what} (when not null). */
    private static Map<String, Integer> counts(String what) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("recorded", 0);
        counts.put("skipped", 0);
        if (what != null) {
            counts.merge(what, 1, Integer::sum);
        }
        return counts;
    }

    private void skipped(String what, LambdaLogger log, boolean firstTime) {
        if (firstTime) {
            log.log("skipped " + what, LogLevel.WARN);
            metrics.count("EventsSkipped", 1);
        }
    }
}

package dev.lockauditor.handler;

import dev.lockauditor.audit.Backfill;
import dev.lockauditor.audit.Sweep;
import dev.lockauditor.audit.SweepBackfill;
import dev.lockauditor.history.HistoryStore;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * {@code StaleLockSweepFunction}: on a schedule, alerts on locks held longer than their threshold (once, then a
 * reminder every so often) and on digests whose state is gone. A fault fails the invocation; the next sweep
 * finds the same things, and alerts already raised are not raised again.
 *
 * <p>The sweep needs nothing from its trigger, so it takes the payload as bytes and never fails over its shape:
 * EventBridge Scheduler sends {@code "detail": "{}"} (a string) by default, an EventBridge rule sends an object,
 * {@code sam local invoke} may send anything. Whatever the payload is, the sweep runs.
 */
public class StaleLockSweepHandler extends SnapStartHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long one sweep spends on the backfill at most, and how much of the function's time it leaves. */
    static final Duration BACKFILL_BUDGET = Duration.ofSeconds(120);
    static final Duration BACKFILL_MARGIN = Duration.ofSeconds(60);

    private final Sweep sweeper;
    private final SweepBackfill backfill;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public StaleLockSweepHandler() {
        this(fromEnvironment());
    }

    public StaleLockSweepHandler(Components components) {
        super(components);
        this.sweeper = components.sweep();
        this.backfill = components.sweepBackfill();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        long started = System.nanoTime();
        Duration budget = Duration.ofMillis(Math.min(BACKFILL_BUDGET.toMillis(),
                context.getRemainingTimeInMillis() - BACKFILL_MARGIN.toMillis()));
        JSON.writeValue(output, sweep(trigger(input.readAllBytes()), context.getLogger(),
                () -> System.nanoTime() - started > budget.toNanos()));
    }

    /** Runs one sweep, with {@link #BACKFILL_BUDGET} for the backfill; returns what it found. */
    public ObjectNode sweep(String trigger, LambdaLogger log) {
        long started = System.nanoTime();
        return sweep(trigger, log, () -> System.nanoTime() - started > BACKFILL_BUDGET.toNanos());
    }

    /** Runs one sweep, then the backfill's share until {@code spent}; returns what it found. */
    public ObjectNode sweep(String trigger, LambdaLogger log, BooleanSupplier spent) {
        Sweep.Summary summary;
        Optional<Backfill.Step> backfilled;
        try {
            summary = sweeper.sweep();
            backfilled = backfill.run(spent);
        } catch (HistoryStore.WriteFailure e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        metrics().gauge("LocksHeld", summary.locks());
        metrics().count("Reconciled", summary.reconciled());
        metrics().gauge("StaleLocks", summary.staleLocks());
        metrics().gauge("OrphanedDigests", summary.orphanedDigests());
        backfilled.ifPresent(step -> metrics().count("BackfillVersions", step.counts().versionsRead()));
        metrics().flush();
        ObjectNode result = JSON.createObjectNode()
                .put("locks", summary.locks())
                .put("staleLocks", summary.staleLocks())
                .put("digests", summary.digests())
                .put("orphanedDigests", summary.orphanedDigests())
                .put("alertsRaised", summary.alertsRaised())
                .put("reconciled", summary.reconciled());
        backfilled.ifPresent(step -> {
            result.putObject("backfill").put("done", step.done()).put("versionsRead", step.counts().versionsRead())
                    .put("stateWrites", step.counts().stateWrites()).put("lockSessions", step.counts().lockSessions())
                    .put("findings", step.counts().findings());
        });
        log.log("sweep (" + trigger + "): " + result, LogLevel.INFO);
        return result;
    }

    /** What triggered the sweep, for its log line: the event's source and id when it has them. */
    static String trigger(byte[] payload) {
        JsonNode event;
        try {
            event = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            return "a payload that is not JSON";
        } catch (IOException e) {
            return "an unreadable payload";
        }
        if (event == null || !event.isObject()) {
            return "a payload that is not a JSON object";
        }
        String source = event.path("source").asText("");
        String id = event.path("id").asText("");
        if (source.isEmpty() && id.isEmpty()) {
            return "an event with no source or id";
        }
        return (source.isEmpty() ? "an event" : source) + (id.isEmpty() ? "" : " " + id);
    }

    @Override
    void primeOnce() {
        new StaleLockSweepHandler(Priming.components()).sweep(trigger(Priming.scheduleEvent()), Priming.LOGGER);
    }
}

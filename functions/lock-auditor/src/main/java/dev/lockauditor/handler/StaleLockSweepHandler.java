package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.lockauditor.audit.StaleLockSweeper;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.metrics.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code StaleLockSweepFunction}: on a schedule, alerts on locks held longer than their threshold (once, then a
 * reminder every so often) and on digests whose state is gone. A fault fails the invocation; the next sweep
 * finds the same things, and alerts already raised are not raised again.
 */
public class StaleLockSweepHandler implements RequestHandler<ScheduledEvent, Map<String, Object>>, Resource {

    private final StaleLockSweeper sweeper;
    private final Metrics metrics;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public StaleLockSweepHandler() {
        this(Components.forLambda(Config.fromEnvironment(), AwsClients.forLambda(System.getenv())));
        Core.getGlobalContext().register(this);
    }

    public StaleLockSweepHandler(Components components) {
        this.sweeper = components.staleLockSweeper();
        this.metrics = components.metrics();
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        StaleLockSweeper.Summary summary = sweeper.sweep();
        metrics.gauge("LocksHeld", summary.locks());
        metrics.gauge("StaleLocks", summary.staleLocks());
        metrics.gauge("OrphanedDigests", summary.orphanedDigests());
        metrics.flush();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("locks", summary.locks());
        result.put("staleLocks", summary.staleLocks());
        result.put("digests", summary.digests());
        result.put("orphanedDigests", summary.orphanedDigests());
        result.put("alertsRaised", summary.alertsRaised());
        context.getLogger().log("sweep: " + result, LogLevel.INFO);
        return result;
    }

    /** SnapStart: runs a sweep once before the snapshot, over a backend in memory. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        new StaleLockSweepHandler(Priming.components()).sweeper.sweep();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: clients resolve credentials on first use.
    }
}

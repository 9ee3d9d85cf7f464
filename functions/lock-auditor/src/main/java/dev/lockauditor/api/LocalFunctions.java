package dev.lockauditor.api;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertPublisher;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.handler.StateEventsHandler;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.metrics.Metrics;
import java.io.PrintStream;
import java.time.Clock;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The stack's three functions wired as deployed, for a local runner: the same handlers, stores and publisher, with
 * the history and the alerts passed through the runner's own decorators (to print what they keep and send) and the
 * metrics written to {@code logs}.
 */
public final class LocalFunctions {

    private final LockEventsHandler lockEvents;
    private final StateEventsHandler stateEvents;
    private final StaleLockSweepHandler sweep;

    private LocalFunctions(Components components) {
        this.lockEvents = new LockEventsHandler(components);
        this.stateEvents = new StateEventsHandler(components);
        this.sweep = new StaleLockSweepHandler(components);
    }

    /**
     * @param history the history store as the runner sees it, around the stack's own
     * @param alerts  the publisher as the runner sees it, around the stack's own (one that publishes nothing when no
     *                topic is set), with the origin each alert document names
     */
    public static LocalFunctions of(Config config, AwsClients aws, UnaryOperator<HistoryStore> history,
                                    BiFunction<AlertPublisher, AlertDocument.Origin, AlertPublisher> alerts,
                                    PrintStream logs) {
        AlertPublisher publisher = config.alerting().alertTopicArn().isEmpty() ? alert -> { }
                : Components.publisher(config, aws);
        return new LocalFunctions(Components.of(config, aws, history.apply(Components.historyStore(config, aws)),
                alerts.apply(publisher, Components.origin(config, aws)),
                new Metrics(logs, config.environmentsByKey(), Clock.systemUTC())));
    }

    /** LockEventsFunction: the lock table's stream. */
    public RequestHandler<DynamodbEvent, StreamsEventResponse> lockEvents() {
        return lockEvents;
    }

    /** StateEventsFunction: the state bucket's events, through their queue. */
    public RequestHandler<SQSEvent, SQSBatchResponse> stateEvents() {
        return stateEvents;
    }

    /** StaleLockSweepFunction: one sweep now, {@code trigger} naming what started it in its logs. */
    public void sweep(String trigger, LambdaLogger log) {
        sweep.sweep(trigger, log);
    }
}

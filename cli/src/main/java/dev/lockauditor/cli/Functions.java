package dev.lockauditor.cli;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.SlackNotifierHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.handler.StateEventsHandler;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/** The functions of template.yaml, by logical id: each one's handler, wired as in Lambda, and its event type. */
final class Functions {

    /**
     * @param eventType the event class the runtime deserialises for a {@code RequestHandler}; null for a
     *                  {@code RequestStreamHandler}, which is handed the event's bytes
     */
    record LambdaFunction(String name, Class<?> handlerClass, Class<?> eventType,
                          BiFunction<Config, AwsClients, Object> handler) {
    }

    static final Map<String, LambdaFunction> ALL = new TreeMap<>(Map.of(
            "LockEventsFunction", new LambdaFunction("LockEventsFunction", LockEventsHandler.class, DynamodbEvent.class,
                    (config, aws) -> new LockEventsHandler(Components.forLambda(config, aws))),
            "StateEventsFunction", new LambdaFunction("StateEventsFunction", StateEventsHandler.class, null,
                    (config, aws) -> new StateEventsHandler(Components.forLambda(config, aws))),
            "StaleLockSweepFunction", new LambdaFunction("StaleLockSweepFunction", StaleLockSweepHandler.class,
                    null, (config, aws) -> new StaleLockSweepHandler(Components.forLambda(config, aws))),
            "SlackNotifierFunction", new LambdaFunction("SlackNotifierFunction", SlackNotifierHandler.class,
                    SNSEvent.class, SlackNotifierHandler::new)));

    private Functions() {
    }

    static LambdaFunction named(String name) {
        LambdaFunction function = ALL.get(name);
        if (function == null) {
            throw new Main.UsageException("no function '" + name + "'; functions: " + String.join(", ", ALL.keySet()));
        }
        return function;
    }
}

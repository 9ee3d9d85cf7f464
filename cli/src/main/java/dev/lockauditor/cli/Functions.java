package dev.lockauditor.cli;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StateEventsHandler;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The functions of template.yaml, by logical id: each one's handler and the event type it takes. */
final class Functions {

    /**
     * @param eventType the event class the runtime deserialises for a {@code RequestHandler}; null for a
     *                  {@code RequestStreamHandler}, which is handed the event's bytes
     */
    record LambdaFunction(String name, Class<?> handlerClass, Class<?> eventType, Function<Components, Object> handler) {
    }

    static final Map<String, LambdaFunction> ALL = new TreeMap<>(Map.of(
            "LockEventsFunction", new LambdaFunction("LockEventsFunction", LockEventsHandler.class, DynamodbEvent.class,
                    LockEventsHandler::new),
            "StateEventsFunction", new LambdaFunction("StateEventsFunction", StateEventsHandler.class, null,
                    StateEventsHandler::new)));

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

package dev.lockauditor.cli;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.LockEventsHandler;
import java.util.Map;
import java.util.function.BiFunction;

/** The functions of template.yaml, by logical id: each one's event type and handler. */
final class Functions {

    record Function(String name, Class<?> eventType, Class<?> handlerClass,
                    BiFunction<Config, AwsClients, RequestHandler<?, ?>> handler) {
    }

    static final Map<String, Function> ALL = Map.of(
            "LockEventsFunction", new Function("LockEventsFunction", DynamodbEvent.class, LockEventsHandler.class,
                    LockEventsHandler::new));

    private Functions() {
    }

    static Function named(String name) {
        Function function = ALL.get(name);
        if (function == null) {
            throw new Main.UsageException("no function '" + name + "'; functions: " + String.join(", ", ALL.keySet()));
        }
        return function;
    }
}

package dev.lockauditor.cli;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code invoke FUNCTION EVENT_FILE}: what {@code sam local invoke -e EVENT_FILE FUNCTION} does, without Docker.
 * The event is read by the Lambda Java runtime's own serializer, the handler is built from the same settings,
 * and the response is printed as the runtime would return it.
 */
final class InvokeCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    InvokeCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) {
        List<String> positional = new ArrayList<>();
        String envVarsFile = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--env-vars") && i + 1 < args.size()) {
                envVarsFile = args.get(++i);
            } else if (args.get(i).startsWith("-")) {
                throw new Main.UsageException("invoke: unknown option '" + args.get(i) + "'");
            } else {
                positional.add(args.get(i));
            }
        }
        if (positional.size() != 2) {
            throw new Main.UsageException("invoke takes FUNCTION EVENT_FILE");
        }
        Functions.LambdaFunction function = Functions.named(positional.get(0));
        Map<String, String> settings = withEnvVarsFile(function.name(), envVarsFile);
        Path eventFile = Path.of(positional.get(1));
        Object event = function.eventType() == null ? readBytes(eventFile) : readEvent(function, eventFile);
        Object handler = handler(function, settings);
        LocalContext context = new LocalContext(function.name(), err);
        try {
            if (handler instanceof RequestStreamHandler streamHandler) {
                ByteArrayOutputStream response = new ByteArrayOutputStream();
                streamHandler.handleRequest(new ByteArrayInputStream((byte[]) event), response, context);
                out.println(response.toString(StandardCharsets.UTF_8));
            } else {
                @SuppressWarnings("unchecked")
                RequestHandler<Object, Object> typed = (RequestHandler<Object, Object>) handler;
                out.println(toJson(typed.handleRequest(event, context)));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            out.println(JSON.createObjectNode()
                    .put("errorMessage", String.valueOf(e.getMessage()))
                    .put("errorType", e.getClass().getName()));
            return 1;
        }
    }

    /** The handler, wired as the deployed function wires it, from these settings. */
    private static Object handler(Functions.LambdaFunction function, Map<String, String> settings) {
        try {
            return function.handler().apply(Config.from(settings), AwsClients.forTools(settings));
        } catch (IllegalStateException e) {
            throw new Main.SetupException(function.name() + ": " + e.getMessage());
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Main.UsageException("no event file " + file);
        } catch (IOException e) {
            throw new Main.UsageException("cannot read event file " + file + ": " + e.getMessage());
        }
    }

    private static Object readEvent(Functions.LambdaFunction function, Path file) {
        PojoSerializer<?> serializer = LambdaEventSerializers.serializerFor(function.eventType(),
                InvokeCommand.class.getClassLoader());
        try (InputStream in = Files.newInputStream(file)) {
            return serializer.fromJson(in);
        } catch (NoSuchFileException e) {
            throw new Main.UsageException("no event file " + file);
        } catch (IOException | RuntimeException e) {
            throw new Main.UsageException("event file " + file + " is not a " + function.eventType().getSimpleName()
                    + " event: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static String toJson(Object response) {
        if (response == null) {
            return "null";
        }
        PojoSerializer<Object> serializer = (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(
                response.getClass(), InvokeCommand.class.getClassLoader());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        serializer.toJson(response, bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The environment, overlaid with a SAM {@code --env-vars} file's {@code Parameters} and the function's own entries. */
    private Map<String, String> withEnvVarsFile(String functionName, String file) {
        Map<String, String> settings = new HashMap<>(env);
        if (file == null) {
            return settings;
        }
        try {
            JsonNode root = JSON.readTree(Path.of(file).toFile());
            for (String section : List.of("Parameters", functionName)) {
                root.path(section).fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
            }
        } catch (IOException e) {
            throw new Main.UsageException("--env-vars " + file + " is not a JSON file: " + e.getMessage());
        }
        return settings;
    }
}

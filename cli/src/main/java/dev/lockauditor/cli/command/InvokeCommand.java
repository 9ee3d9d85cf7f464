package dev.lockauditor.cli.command;

import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.output.VisibleLines;
import dev.lockauditor.runtime.FunctionPackage;
import dev.lockauditor.runtime.Jdk;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SamTemplate;
import dev.lockauditor.runtime.SqsEnvelope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.aws.AwsClients;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code invoke FUNCTION EVENT_FILE}: what {@code sam local invoke -e EVENT_FILE FUNCTION} does, without Docker.
 * The function's {@code CodeUri} is packaged as {@code sam build} packages it, and run in a JVM of its own under
 * AWS's Lambda runtime interface client, with the handler, memory, logging and environment template.yaml gives
 * it, initialized on demand as {@code sam local invoke} does (no SnapStart hooks: the tests and {@code bin/bench}
 * run those), from a class archive of the package recorded by its first run; the event file's bytes are handed to
 * it through the Lambda Runtime API, and its response is printed as Lambda returns it. Its logs go to stderr, as text
 * ({@link VisibleLines}).
 */
public record InvokeCommand(Map<String, String> env, PrintStream out, PrintStream err) {

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("invoke", List.of("FUNCTION", "EVENT_FILE"),
            "Run one function on an event, as `sam local invoke` does, without Docker: packaged as sam build does, in a\n"
                    + "JVM of its own under AWS's Lambda runtime interface client, with its template.yaml settings.\n"
                    + "FUNCTION is the function's name in template.yaml, e.g. LockEventsFunction.",
            List.of(CommandLine.Option.valued("--env-vars", "FILE",
                    "a SAM --env-vars JSON file (Parameters, and the function's own entries)")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
        String envVarsFile = parsed.value("--env-vars", null);
        List<String> positional = parsed.operands();
        Path root = SamTemplate.projectFolder(env);
        SamTemplate template = SamTemplate.loadKept(root.resolve("template.yaml"));
        SamTemplate.Function declared = template.function(positional.get(0), Map.of());
        byte[] event = readBytes(Path.of(positional.get(1)));
        if (template.eventSourceTypes(declared.name()).equals(java.util.Set.of("SQS")) && !isSqsEvent(event)) {
            err.println("lock-auditor: " + declared.name() + " is triggered by SQS: the event is handed to it as the body"
                    + " of one SQS message");
            event = SqsEnvelope.around(event, awsSettings().getOrDefault("AWS_REGION", "us-east-1"));
        }
        SamTemplate.Function function = withSettings(declared, envVarsFile).onDemand();
        Path packageFolder = FunctionPackage.of(root, function.codeUri(), err);
        // The function's log lines may quote what the backend holds: shown as text, never as terminal controls.
        VisibleLines logs = new VisibleLines(err);
        try (logs; LambdaProcess process = LambdaProcess.start(function, packageFolder, awsSettings(), logs,
                new LambdaProcess.Jvm(Jdk.current(), true))) {
            RuntimeApi.Invocation invocation = process.invoke(event);
            out.println(invocation.body());
            return invocation.error() ? 1 : 0;
        } catch (IOException e) {
            throw new SetupException("cannot start " + function.name() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * The function as the template declares it, each of its variables overridden by the same variable in this
     * environment, then by a SAM {@code --env-vars} file's {@code Parameters} and the function's own entries.
     */
    private SamTemplate.Function withSettings(SamTemplate.Function declared, String envVarsFile) {
        Map<String, String> environment = new HashMap<>(declared.environment());
        environment.replaceAll((name, value) -> env.getOrDefault(name, value));
        if (envVarsFile != null) {
            try {
                JsonNode root = new ObjectMapper().readTree(Path.of(envVarsFile).toFile());
                for (String section : List.of("Parameters", declared.name())) {
                    root.path(section).fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
                }
            } catch (IOException e) {
                throw new UsageException("--env-vars " + envVarsFile + " is not a JSON file: " + e.getMessage());
            }
        }
        return declared.withEnvironment(environment);
    }

    /** Region, endpoint and credentials for the function: this environment's, or what the SDK's chain finds. */
    private Map<String, String> awsSettings() {
        Map<String, String> settings = new HashMap<>();
        for (String name : List.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
            if (env.get(name) != null && !env.get(name).isBlank()) {
                settings.put(name, env.get(name));
            }
        }
        if (!settings.containsKey("AWS_ACCESS_KEY_ID")) {
            AwsClients.forTools(env).resolvedCredentials().ifPresent(settings::putAll);
        }
        return settings;
    }

    private static boolean isSqsEvent(byte[] event) {
        try {
            return "aws:sqs".equals(new ObjectMapper().readTree(event).path("Records").path(0).path("eventSource").asText());
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UsageException("no event file " + file);
        } catch (IOException e) {
            throw new UsageException("cannot read event file " + file + ": " + e.getMessage());
        }
    }
}

package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** template.yaml and bin/lock-auditor agree on the functions, and every handler named exists. */
class TemplateTest {

    static final Path TEMPLATE = Path.of("..", "template.yaml");

    /** Each serverless function's logical id and Handler, read from the template's text. */
    static Map<String, String> handlers() throws Exception {
        Map<String, String> handlers = new HashMap<>();
        Matcher function = Pattern.compile("(?m)^  (\\w+):\\n    Type: AWS::Serverless::Function\\n((?:    .*\\n|\\n)*)")
                .matcher(Files.readString(TEMPLATE));
        while (function.find()) {
            Matcher handler = Pattern.compile("(?m)^      Handler: (\\S+)$").matcher(function.group(2));
            assertTrue(handler.find(), function.group(1) + " has no Handler");
            handlers.put(function.group(1), handler.group(1));
        }
        return handlers;
    }

    @Test
    void everyFunctionInTheTemplateCanBeInvokedLocallyWithItsOwnHandler() throws Exception {
        Map<String, String> handlers = handlers();

        assertEquals(handlers.keySet(), Functions.ALL.keySet());
        handlers.forEach((name, handler) -> {
            assertEquals(Functions.ALL.get(name).handlerClass().getName() + "::handleRequest", handler);
        });
    }

    @Test
    void everyEventFileIsUsableWithSamLocalInvoke() throws Exception {
        try (var files = Files.list(Path.of("..", "events"))) {
            files.forEach(file -> assertTrue(file.toString().endsWith(".json"), file + " is not a JSON event"));
        }
    }
}

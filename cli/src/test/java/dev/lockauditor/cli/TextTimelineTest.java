package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextTimelineTest {

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put((String) pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    @Test
    void historyAndAlertsReadAsATimeline() {
        Lines lines = new TextTimeline(out, false);

        lines.print("history", fields("statePath", "acme/env:/staging/app.tfstate", "event", "LOCK_RELEASED",
                "at", "2025-03-14T09:31:41.000Z", "who", "ci@runner-7f9c", "heldForSeconds", 287L, "source", "dynamodb"));
        lines.print("history", fields("statePath", "acme/env:/staging/app.tfstate", "event", "STATE_WRITTEN",
                "at", "2025-03-14T09:31:40.000Z", "serial", 7L, "writer", "alice"));
        lines.print("alert", fields("type", "DIGEST_MISMATCH", "severity", "CRITICAL", "statePath", "acme/app.tfstate",
                "summary", "Digest mismatch on acme/app.tfstate", "remediation", "update the Digest value"));

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("acme/env:/staging/app.tfstate"), text);
        assertTrue(text.contains("LOCK_RELEASED   ci@runner-7f9c after 287s"), text);
        assertTrue(text.contains("STATE_WRITTEN   serial 7 by alice"), text);
        assertTrue(text.contains("CRITICAL DIGEST_MISMATCH  acme/app.tfstate\n          Digest mismatch on acme/app.tfstate\n"
                + "          what to do: update the Digest value"), text);
        assertFalse(text.contains("\u001b["), "no colour off a terminal");
    }

    @Test
    void severityIsColouredOnATerminal() {
        new TextTimeline(out, true).print("alert", fields("type", "STALE_LOCK", "severity", "WARNING", "statePath", "a/b",
                "summary", "s", "remediation", "r"));

        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("\u001b[1;33mWARNING STALE_LOCK\u001b[0m"));
    }

    @Test
    void theFormatIsTextOnATerminalAndJsonOtherwiseUnlessChosen() {
        assertInstanceOf(TextTimeline.class, Lines.of(null, out, true));
        assertInstanceOf(JsonLines.class, Lines.of(null, out, false));
        assertInstanceOf(JsonLines.class, Lines.of("json", out, true));
        assertInstanceOf(TextTimeline.class, Lines.of("text", out, false));
        assertEquals("--format is json or text, not 'yaml'",
                assertThrows(Main.UsageException.class, () -> Lines.of("yaml", out, false)).getMessage());
    }
}

package dev.lockauditor.cli.output;

import dev.lockauditor.runtime.UsageException;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;

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

        StatePath state = new StatePath("acme/env:/staging/app.tfstate", "acme", "env:/staging/app.tfstate", "staging");
        Facts.Lock lock = new Facts.Lock("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "ci@runner-7f9c",
                "1.11.2", Instant.parse("2025-03-14T09:26:54Z"), null);
        lines.print("history", new HistoryEvent(state, Instant.parse("2025-03-14T09:31:41Z"), Source.DYNAMODB, "r",
                "2", "0", new Facts.LockReleased(lock, 287L, null)).fields());
        lines.print("history", new HistoryEvent(state, Instant.parse("2025-03-14T09:31:40Z"), Source.STATE_OBJECT, "w",
                "1", "0", new Facts.StateWritten(new Facts.ObjectFacts(null, null, null, null, "alice", null, null),
                        new Facts.Header(4L, "1.11.2", 7, "l"), null)).fields());
        lines.print("history", new HistoryEvent(state, Instant.parse("2025-03-14T09:40:00Z"), Source.S3_LOCK_FILE, "a",
                "3", "0", new Facts.LockAcquired(new Facts.Lock("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "OperationTypePlan",
                        "@runner-1b2c", "1.11.2", Instant.parse("2025-03-14T09:40:00Z"), null), null)).fields());
        lines.print("alert", fields("type", "DIGEST_MISMATCH", "severity", "CRITICAL", "statePath", "acme/app.tfstate",
                "summary", "Digest mismatch on acme/app.tfstate", "remediation", "update the Digest value"));

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("acme/env:/staging/app.tfstate"), text);
        assertTrue(text.contains("LOCK_RELEASED   ci@runner-7f9c after 287s"), text);
        assertTrue(text.contains("STATE_WRITTEN   serial 7 by alice"), text);
        assertTrue(text.contains("LOCK_ACQUIRED   an unknown user on runner-1b2c OperationTypePlan (lock file)"), text);
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
                assertThrows(UsageException.class, () -> Lines.of("yaml", out, false)).getMessage());
    }
}

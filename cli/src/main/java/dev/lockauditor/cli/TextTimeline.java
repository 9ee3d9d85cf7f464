package dev.lockauditor.cli;

import dev.lockauditor.alert.Alerts;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The local runner's report for people: one line per history event (time, state, event, who or what), and
 * each alert with its summary and what to do, its severity coloured on a terminal.
 */
final class TextTimeline implements Lines {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final Map<String, String> COLOURS = Map.of(
            "CRITICAL", "\u001b[1;31m", "HIGH", "\u001b[1;35m", "WARNING", "\u001b[1;33m", "INFO", "\u001b[1;36m");
    private static final String RESET = "\u001b[0m";
    private static final String DIM = "\u001b[2m";

    private final PrintStream out;
    private final boolean colour;

    TextTimeline(PrintStream out, boolean colour) {
        this.out = out;
        this.colour = colour;
    }

    @Override
    public synchronized void print(String record, Map<String, ?> fields) {
        switch (record) {
            case "ready" -> out.println(paint(DIM, "watching " + describeReady(fields)));
            case "history" -> out.println(historyLine(fields));
            case "alert" -> {
                String severity = text(fields, "severity");
                out.println(TIME.format(Instant.now()) + "  " + paint(COLOURS.getOrDefault(severity, ""),
                        severity + " " + text(fields, "type")) + "  " + text(fields, "statePath"));
                out.println("          " + text(fields, "summary"));
                out.println("          " + paint(DIM, "what to do: ") + text(fields, "remediation"));
            }
            default -> out.println(record + " " + fields);
        }
        out.flush();
    }

    private String historyLine(Map<String, ?> fields) {
        String event = text(fields, "event");
        String time = fields.get("at") == null ? "" : TIME.format(Instant.parse(text(fields, "at")));
        return String.format("%s  %-52s %-15s %s", time, text(fields, "statePath"), event, detail(event, fields));
    }

    static String detail(String event, Map<String, ?> fields) {
        String source = "s3".equals(text(fields, "source")) ? " (lock file)" : "";
        return switch (event) {
            case "LOCK_ACQUIRED" -> text(fields, "who") + " " + text(fields, "operation") + source;
            case "LOCK_RELEASED" -> text(fields, "who") + (fields.get("heldForSeconds") == null ? ""
                    : " after " + fields.get("heldForSeconds") + "s") + source;
            case "STATE_WRITTEN" -> (fields.get("serial") == null ? "header unreadable" : "serial " + fields.get("serial"))
                    + by(fields);
            case "STATE_DELETED" -> by(fields).strip();
            case "DIGEST_UPDATED" -> text(fields, "digest");
            case "DIGEST_REMOVED" -> "was " + text(fields, "previousDigest");
            default -> "";
        };
    }

    private static String by(Map<String, ?> fields) {
        return text(fields, "writer").isEmpty() ? ""
                : " by " + new Alerts.Writer(text(fields, "writer"), text(fields, "sourceIp")).describe();
    }

    private static String describeReady(Map<String, ?> fields) {
        StringBuilder what = new StringBuilder();
        if (fields.get("lockTable") != null) {
            what.append("lock table ").append(fields.get("lockTable"));
        }
        if (fields.get("stateBucket") != null) {
            what.append(what.isEmpty() ? "" : " and ").append("bucket ").append(fields.get("stateBucket"));
        }
        return what + " at " + fields.get("endpoint") + " (history in " + fields.get("historyTable") + ")";
    }

    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }

    private static String text(Map<String, ?> fields, String name) {
        Object value = fields.get(name);
        return value == null ? "" : value.toString();
    }
}

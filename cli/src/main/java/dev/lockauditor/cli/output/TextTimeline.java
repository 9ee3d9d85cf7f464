package dev.lockauditor.cli.output;

import dev.lockauditor.alert.Alerts;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;

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
            case "ready" -> out.println(paint(DIM, TerminalText.visible("watching " + describeReady(fields))));
            case "history" -> out.println(TerminalText.visible(historyLine(fields)));
            case "alert" -> {
                String severity = text(fields, "severity");
                out.println(TIME.format(Instant.now()) + "  " + paint(COLOURS.getOrDefault(severity, ""),
                        severity + " " + text(fields, "type")) + "  " + text(fields, "statePath"));
                out.println("          " + text(fields, "summary"));
                out.println("          " + paint(DIM, "what to do: ") + text(fields, "remediation"));
            }
            default -> out.println(TerminalText.visible(record + " " + fields));
        }
        out.flush();
    }

    @SuppressWarnings("unchecked")
    private String historyLine(Map<String, ?> fields) {
        HistoryEvent event = HistoryEvent.fromFields((Map<String, Object>) fields);
        return String.format("%s  %-52s %-15s %s", TIME.format(event.at()), event.state().path(), event.type().name(),
                detail(event));
    }

    static String detail(HistoryEvent event) {
        String source = event.source() == Source.S3_LOCK_FILE ? " (lock file)" : "";
        Facts facts = event.facts();
        String caller = event.caller() == null ? "" : " by " + event.caller().describe();
        if (facts instanceof Facts.LockAcquired acquired) {
            return who(acquired.lock()) + " " + or(acquired.lock() == null ? null : acquired.lock().operation()) + source
                    + caller;
        } else if (facts instanceof Facts.LockReleased released) {
            return who(released.lock()) + (released.heldForSeconds() == null ? ""
                    : " after " + released.heldForSeconds() + "s") + source + (released.forced() ? ", forced" : "")
                    + caller;
        } else if (facts instanceof Facts.StateWritten written) {
            return (written.header() == null ? "header unreadable" : "serial " + written.header().serial())
                    + by(written.object(), event.caller());
        } else if (facts instanceof Facts.StateDeleted deleted) {
            return by(deleted.object(), event.caller()).strip();
        } else if (facts instanceof Facts.DigestUpdated updated) {
            return updated.digest();
        } else if (facts instanceof Facts.DigestRemoved removed) {
            return "was " + removed.previousDigest();
        } else if (facts instanceof Facts.LockAcknowledged ack) {
            return "lock " + ack.lockId() + " by " + ack.by() + (ack.until() == null ? "" : " until " + ack.until())
                    + ": " + ack.reason();
        }
        return "";
    }

    private static String who(Facts.Lock lock) {
        return Alerts.who(lock == null ? null : lock.who());
    }

    private static String or(String value) {
        return value == null ? "" : value;
    }

    private static String by(Facts.ObjectFacts object, Facts.Caller caller) {
        return object.writer() == null && caller == null ? ""
                : " by " + new Alerts.Writer(object.writer(), object.sourceIp(), caller).describe();
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

    /** A field as the terminal shows it: the backend's values never carry a control character to it. */
    private static String text(Map<String, ?> fields, String name) {
        return TerminalText.visible(fields.get(name));
    }
}

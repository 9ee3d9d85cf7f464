package dev.lockauditor.cli.output;

import dev.lockauditor.runtime.UsageException;
import java.io.PrintStream;
import java.util.Map;

/** What the local runner reports: {@code ready}, {@code history} and {@code alert} records, as they happen. */
public interface Lines {

    void print(String record, Map<String, ?> fields);

    /**
     * JSON lines (the contract for programs) or a readable timeline (for people, coloured on a terminal).
     *
     * @param format {@code json}, {@code text}, or null for text on a terminal and JSON otherwise
     */
    static Lines of(String format, PrintStream out, boolean terminal) {
        String chosen = format == null ? (terminal ? "text" : "json") : format;
        return switch (chosen) {
            case "json" -> new JsonLines(out);
            case "text" -> new TextTimeline(out, terminal);
            default -> throw new UsageException("--format is json or text, not '" + format + "'");
        };
    }
}

package dev.lockauditor.cli.output;

import dev.lockauditor.runtime.CliJson;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The local runner's stdout: one JSON object per line, each with a {@code record} field saying what it is. */
final class JsonLines implements Lines {

    private final PrintStream out;

    JsonLines(PrintStream out) {
        this.out = out;
    }

    @Override
    public void print(String record, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("record", record);
        line.putAll(fields);
        String text = CliJson.write(line);
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }
}

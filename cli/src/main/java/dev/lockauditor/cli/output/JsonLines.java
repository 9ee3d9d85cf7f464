package dev.lockauditor.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The local runner's stdout: one JSON object per line, each with a {@code record} field saying what it is. */
final class JsonLines implements Lines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    JsonLines(PrintStream out) {
        this.out = out;
    }

    @Override
    public void print(String record, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("record", record);
        line.putAll(fields);
        try {
            String text = JSON.writeValueAsString(line);
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.lockauditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What a command prints, line by line, for a test to wait on. */
final class OutputLines extends OutputStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            lines.add(text);
            all.add(text);
        } else {
            line.write(b);
        }
    }

    synchronized List<String> all() {
        return List.copyOf(all);
    }

    /** The next JSON line that matches, waiting up to {@code seconds}. */
    JsonNode next(Predicate<JsonNode> match, int seconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String text = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (text == null) {
                throw new AssertionError("no matching line within " + seconds + " s; printed so far:\n"
                        + String.join("\n", all()));
            }
            JsonNode node = JSON.readTree(text);
            if (match.test(node)) {
                return node;
            }
        }
    }

    static Predicate<JsonNode> record(String record) {
        return node -> record.equals(node.path("record").asText());
    }
}

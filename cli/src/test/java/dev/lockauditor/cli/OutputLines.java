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

    /** Waits until at least {@code count} printed JSON lines match, then returns every one that does. */
    List<JsonNode> await(Predicate<JsonNode> match, int count, int seconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            List<JsonNode> found = matching(match);
            if (found.size() >= count) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " matching lines within " + seconds + " s, found "
                        + found.size() + "; printed so far:\n" + String.join("\n", all()));
            }
            Thread.sleep(100);
        }
    }

    /** Every printed JSON line that matches, so far. */
    List<JsonNode> matching(Predicate<JsonNode> match) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (String text : all()) {
            if (text.startsWith("{")) {
                JsonNode node = JSON.readTree(text);
                if (match.test(node)) {
                    found.add(node);
                }
            }
        }
        return found;
    }

    /** A line of this record about one state. */
    static Predicate<JsonNode> about(String record, String statePath) {
        return node -> record.equals(node.path("record").asText()) && statePath.equals(node.path("statePath").asText());
    }

    /** A history line of this event about one state. */
    static Predicate<JsonNode> history(String event, String statePath) {
        return about("history", statePath).and(node -> event.equals(node.path("event").asText()));
    }

    static Predicate<JsonNode> record(String record) {
        return node -> record.equals(node.path("record").asText());
    }
}

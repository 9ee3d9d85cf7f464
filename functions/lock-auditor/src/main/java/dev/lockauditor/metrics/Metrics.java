package dev.lockauditor.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics written as CloudWatch embedded metric format: one JSON log line per flush and dimension set, which
 * CloudWatch Logs turns into metrics in the {@value #NAMESPACE} namespace, by environment (and, for alerts,
 * by alert type).
 */
public final class Metrics {

    public static final String NAMESPACE = "TerraformLockAuditor";
    private static final JsonFactory JSON = new JsonFactory();

    /** The figures of one dimension set. */
    private static final class Group {
        final Map<String, String> units = new LinkedHashMap<>();
        final Map<String, List<Double>> values = new LinkedHashMap<>();
    }

    private final PrintStream out;
    private final String environment;
    private final Clock clock;
    private final Map<Map<String, String>, Group> groups = new LinkedHashMap<>();

    public Metrics(PrintStream out, String environment, Clock clock) {
        this.out = out;
        this.environment = environment;
        this.clock = clock;
    }

    /** Adds to a count: one value per flush. */
    public synchronized void count(String name, long count) {
        count(Map.of(), name, count);
    }

    /** Counts an alert raised, by its type. */
    public synchronized void alertRaised(String alertType) {
        count(Map.of("AlertType", alertType), "AlertsRaised", 1);
    }

    private void count(Map<String, String> dimensions, String name, long count) {
        Group group = group(dimensions);
        group.units.put(name, "Count");
        List<Double> list = group.values.computeIfAbsent(name, n -> new ArrayList<>(List.of(0.0)));
        list.set(0, list.get(0) + count);
    }

    /** Records one observation of a duration: every value is kept. */
    public synchronized void seconds(String name, long seconds) {
        Group group = group(Map.of());
        group.units.put(name, "Seconds");
        group.values.computeIfAbsent(name, n -> new ArrayList<>()).add((double) seconds);
    }

    /** Records a value as it is now (e.g. how many locks are stale). */
    public synchronized void gauge(String name, long value) {
        Group group = group(Map.of());
        group.units.put(name, "Count");
        group.values.put(name, new ArrayList<>(List.of((double) value)));
    }

    private Group group(Map<String, String> dimensions) {
        return groups.computeIfAbsent(dimensions, d -> new Group());
    }

    /**
     * Counts history events by kind, and how long each released lock was held. DynamoDB locks and lock files
     * are counted apart: Terraform can take both for one lock.
     */
    public void recordHistory(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            if (!(event.type() instanceof EventType type)) {
                continue;
            }
            boolean lockFile = event.source() == Source.S3_LOCK_FILE;
            switch (type) {
                case LOCK_ACQUIRED -> count(lockFile ? "LockFilesAcquired" : "LocksAcquired", 1);
                case LOCK_RELEASED -> {
                    count(lockFile ? "LockFilesReleased" : "LocksReleased", 1);
                    if (event.facts() instanceof Facts.LockReleased released && released.heldForSeconds() != null) {
                        seconds("LockHeldSeconds", released.heldForSeconds());
                    }
                }
                case DIGEST_UPDATED -> count("DigestsUpdated", 1);
                case DIGEST_REMOVED -> count("DigestsRemoved", 1);
                case STATE_WRITTEN -> count("StatesWritten", 1);
                case STATE_DELETED -> count("StatesDeleted", 1);
                case LOCK_ACKNOWLEDGED -> count("LocksAcknowledged", 1);
            }
        }
    }

    /** Writes what was recorded since the last flush, if anything: one line per dimension set. */
    public synchronized void flush() {
        for (Map.Entry<Map<String, String>, Group> group : groups.entrySet()) {
            if (!group.getValue().values.isEmpty()) {
                out.println(line(group.getKey(), group.getValue()));
            }
        }
        groups.clear();
    }

    private String line(Map<String, String> dimensions, Group group) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeObjectFieldStart("_aws");
            json.writeNumberField("Timestamp", clock.millis());
            json.writeArrayFieldStart("CloudWatchMetrics");
            json.writeStartObject();
            json.writeStringField("Namespace", NAMESPACE);
            json.writeArrayFieldStart("Dimensions");
            json.writeStartArray();
            json.writeString("Environment");
            for (String dimension : dimensions.keySet()) {
                json.writeString(dimension);
            }
            json.writeEndArray();
            json.writeEndArray();
            json.writeArrayFieldStart("Metrics");
            for (var unit : group.units.entrySet()) {
                json.writeStartObject();
                json.writeStringField("Name", unit.getKey());
                json.writeStringField("Unit", unit.getValue());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
            json.writeStringField("Environment", environment);
            for (var dimension : dimensions.entrySet()) {
                json.writeStringField(dimension.getKey(), dimension.getValue());
            }
            for (var entry : group.values.entrySet()) {
                List<Double> list = entry.getValue();
                json.writeFieldName(entry.getKey());
                if (list.size() == 1) {
                    writeNumber(json, list.get(0));
                } else {
                    json.writeStartArray();
                    for (double value : list) {
                        writeNumber(json, value);
                    }
                    json.writeEndArray();
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void writeNumber(JsonGenerator json, double value) throws IOException {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            json.writeNumber((long) value);
        } else {
            json.writeNumber(value);
        }
    }
}

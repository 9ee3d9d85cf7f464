package dev.lockauditor.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
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
 * CloudWatch Logs turns into metrics in the {@value #NAMESPACE} namespace, by environment (each state's, as
 * {@code ENVIRONMENTS} names it) and, for alerts, by alert type.
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
    private final Environments environments;
    private final Clock clock;
    private final Map<Map<String, String>, Group> groups = new LinkedHashMap<>();

    /** @param environments which environment each state's figures count under; figures of no state count under its default */
    public Metrics(PrintStream out, Environments environments, Clock clock) {
        this.out = out;
        this.environments = environments;
        this.clock = clock;
    }

    /** Adds to a count of the whole stack (its default environment): one value per flush. */
    public synchronized void count(String name, long count) {
        count(dimensions(null), name, count);
    }

    /** Counts an alert raised, by its state's environment and its type. */
    public synchronized void alertRaised(StatePath state, String alertType) {
        Map<String, String> dimensions = new LinkedHashMap<>(dimensions(state));
        dimensions.put("AlertType", alertType);
        count(dimensions, "AlertsRaised", 1);
    }

    private void count(Map<String, String> dimensions, String name, long count) {
        Group group = group(dimensions);
        group.units.put(name, "Count");
        List<Double> list = group.values.computeIfAbsent(name, n -> new ArrayList<>(List.of(0.0)));
        list.set(0, list.get(0) + count);
    }

    private void seconds(StatePath state, String name, long seconds) {
        Group group = group(dimensions(state));
        group.units.put(name, "Seconds");
        group.values.computeIfAbsent(name, n -> new ArrayList<>()).add((double) seconds);
    }

    /** Records a value of the whole stack as it is now (e.g. how many locks are stale). */
    public synchronized void gauge(String name, long value) {
        Group group = group(dimensions(null));
        group.units.put(name, "Count");
        group.values.put(name, new ArrayList<>(List.of((double) value)));
    }

    private Map<String, String> dimensions(StatePath state) {
        return Map.of("Environment", state == null ? environments.fallback() : environments.of(state));
    }

    private Group group(Map<String, String> dimensions) {
        return groups.computeIfAbsent(dimensions, d -> new Group());
    }

    /**
     * Counts history events by kind, and how long each released lock was held. DynamoDB locks and lock files
     * are counted apart: Terraform can take both for one lock.
     */
    public synchronized void recordHistory(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            if (!(event.type() instanceof EventType type)) {
                continue;
            }
            boolean lockFile = event.source() == Source.S3_LOCK_FILE;
            Map<String, String> in = dimensions(event.state());
            switch (type) {
                case LOCK_ACQUIRED -> count(in, lockFile ? "LockFilesAcquired" : "LocksAcquired", 1);
                case LOCK_RELEASED -> {
                    count(in, lockFile ? "LockFilesReleased" : "LocksReleased", 1);
                    if (event.facts() instanceof Facts.LockReleased released && released.heldForSeconds() != null) {
                        seconds(event.state(), "LockHeldSeconds", released.heldForSeconds());
                    }
                }
                case DIGEST_UPDATED -> count(in, "DigestsUpdated", 1);
                case DIGEST_REMOVED -> count(in, "DigestsRemoved", 1);
                case STATE_WRITTEN -> count(in, "StatesWritten", 1);
                case STATE_DELETED -> count(in, "StatesDeleted", 1);
                case LOCK_ACKNOWLEDGED -> count(in, "LocksAcknowledged", 1);
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

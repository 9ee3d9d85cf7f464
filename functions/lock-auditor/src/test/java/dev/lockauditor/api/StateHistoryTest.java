package dev.lockauditor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateHistoryTest {

    /** An entry as the history table stores it. */
    static HistoryEvent entry(String event, String at, String source, Object... facts) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("statePath", "acme-tfstate/app.tfstate");
        fields.put("bucket", "acme-tfstate");
        fields.put("key", "app.tfstate");
        fields.put("workspace", "default");
        fields.put("event", event);
        fields.put("eventKey", at + "#" + source + "#1#0");
        fields.put("source", source);
        for (int i = 0; i < facts.length; i += 2) {
            fields.put((String) facts[i], facts[i + 1]);
        }
        return HistoryEvent.fromFields(fields);
    }

    static final String LOCK = "9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382";

    @Test
    void bothKindsOfOneLockAreOneSessionWithItsWritesAndAlerts() {
        List<HistoryEvent> history = List.of(
                entry("LOCK_ACQUIRED", "2025-03-14T09:26:53.100Z", "s3", "lockId", LOCK, "who", "ci", "operation",
                        "OperationTypeApply", "created", "2025-03-14T09:26:53.000Z"),
                entry("LOCK_ACQUIRED", "2025-03-14T09:26:54.000Z", "dynamodb", "lockId", LOCK, "who", "ci",
                        "created", "2025-03-14T09:26:53.000Z"),
                entry("STATE_WRITTEN", "2025-03-14T09:31:40.000Z", "state", "serial", 7L, "lineage", "l", "writer", "ci-role"),
                entry("LOCK_RELEASED", "2025-03-14T09:31:41.000Z", "dynamodb", "lockId", LOCK, "heldForSeconds", 288L),
                entry("LOCK_RELEASED", "2025-03-14T09:31:41.200Z", "s3", "lockId", LOCK, "heldForSeconds", 288L),
                entry("STATE_WRITTEN", "2025-03-14T10:02:12.000Z", "state", "serial", 8L, "lineage", "l", "writer", "alice"),
                entry("UNLOCKED_WRITE", "2025-03-14T10:02:12.000Z", "state", "severity", "HIGH", "summary", "s"));

        StateHistory sessions = StateHistory.of(history);

        assertEquals(1, sessions.sessions().size());
        StateHistory.Session session = sessions.sessions().get(0);
        assertEquals(LOCK, session.lockId());
        assertEquals(List.of(Source.S3_LOCK_FILE, Source.DYNAMODB), List.copyOf(session.sources()));
        assertEquals(Instant.parse("2025-03-14T09:26:53.000Z"), session.start(), "when it was taken: its Created");
        assertEquals(Instant.parse("2025-03-14T09:31:41.200Z"), session.end(), "when the last of its kinds went");
        assertEquals("OperationTypeApply", session.lock().operation());
        assertEquals(List.of(7L), session.writes().stream().map(StateHistoryTest::serial).toList());
        assertEquals(List.of(8L), sessions.outsideLocks().stream().map(StateHistoryTest::serial).toList());
        assertEquals(List.of("UNLOCKED_WRITE"), sessions.otherAlerts().stream().map(e -> e.type().name()).toList());
    }

    @Test
    void aReleaseWhoseAcquireIsOlderThanTheWindowStartsAtItsCreatedTime() {
        StateHistory sessions = StateHistory.of(List.of(
                entry("LOCK_RELEASED", "2025-03-14T12:00:00.000Z", "dynamodb", "lockId", LOCK, "who", "ci",
                        "created", "2025-03-14T08:00:00Z", "heldForSeconds", 14400L),
                entry("STALE_LOCK", "2025-03-14T08:00:00.000Z", "lock", "lockId", LOCK, "severity", "WARNING",
                        "summary", "stale")));

        assertEquals(Instant.parse("2025-03-14T08:00:00Z"), sessions.sessions().get(0).start());
        assertEquals(List.of("STALE_LOCK"),
                sessions.sessions().get(0).alerts().stream().map(e -> e.type().name()).toList());
    }

    static long serial(HistoryEvent write) {
        return ((Facts.StateWritten) write.facts()).header().serial();
    }
}

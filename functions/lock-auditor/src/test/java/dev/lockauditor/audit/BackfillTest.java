package dev.lockauditor.audit;

import static dev.lockauditor.audit.StateFixtures.KEY;
import static dev.lockauditor.audit.StateFixtures.LINEAGE;
import static dev.lockauditor.audit.StateFixtures.OTHER_LINEAGE;
import static dev.lockauditor.audit.StateFixtures.PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.handler.Components;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryBookkeeping;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A lock-file backend's past, as its versioned bucket keeps it: five applies (one without a lock, one a rollback), a
 * deletion, a state of another lineage, a lock held now. The backfill reconstructs it once, however it is cut.
 */
class BackfillTest {

    static final Instant DAY = Instant.parse("2025-03-10T09:00:00Z");
    static final String LOCK_FILE = KEY + ".tflock";

    final InMemoryBackend backend = new InMemoryBackend();
    final InMemoryHistoryStore history = new InMemoryHistoryStore();
    final InMemoryBookkeeping bookkeeping = new InMemoryBookkeeping();
    final List<Alert> published = new ArrayList<>();
    final TestTime time = new TestTime(DAY.plus(Duration.ofDays(3)));

    BackfillTest() {
        int apply = 0;
        apply(++apply, 1, LINEAGE, true);
        apply(++apply, 2, LINEAGE, true);
        apply(++apply, 3, LINEAGE, false);                 // -lock=false
        apply(++apply, 2, LINEAGE, true);                  // a rollback to serial 2
        backend.delete(KEY, at(5, 0));                     // the state deleted
        apply(6, 5, OTHER_LINEAGE, true);                  // a new state after the deletion: compared with nothing
        lock(7);                                           // held now
        backend.put("modules/vpc.zip", "PK", at(7, 30));   // not a state: never read
    }

    static Instant at(int hour, int seconds) {
        return DAY.plus(Duration.ofHours(hour)).plusSeconds(seconds);
    }

    private LockInfo lock(int hour) {
        LockInfo lock = StateFixtures.lockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7%04d", hour),
                at(hour, 0));
        backend.put(LOCK_FILE, lock.toJson(), at(hour, 0));
        return lock;
    }

    private void apply(int hour, long serial, String lineage, boolean locked) {
        if (locked) {
            lock(hour);
        }
        backend.put(KEY, StateFixtures.terraformState(serial, lineage), at(hour, 10));
        if (locked) {
            backend.delete(LOCK_FILE, at(hour, 12));
        }
    }

    Components components(InMemoryHistoryStore store) {
        return Wiring.components(backend, store, bookkeeping, new TestLockStream(), published, time, Map.of());
    }

    Backfill backfill(InMemoryHistoryStore store) {
        return components(store).backfill();
    }

    static Bookkeeping.Backfill start() {
        return new Bookkeeping.Backfill(null, null, DAY.minus(Duration.ofDays(90)), DAY.plus(Duration.ofDays(3)), null,
                Bookkeeping.BackfillCounts.NONE);
    }

    /** The entries of one kind: events, or, for an alert type, findings. */
    List<HistoryEvent> of(InMemoryHistoryStore store, String kind) {
        boolean finding = !kind.equals("STATE_DELETED") && java.util.Arrays.stream(AlertType.values())
                .anyMatch(type -> type.name().equals(kind));
        return store.history(PATH).stream().filter(e -> e.type().name().equals(kind)
                && finding == e.facts() instanceof Facts.AlertRaised).toList();
    }

    static Set<String> keys(InMemoryHistoryStore store) {
        return store.all().stream().map(e -> e.state().path() + " " + e.eventKey() + " " + e.type().name())
                .collect(Collectors.toSet());
    }

    @Test
    void everyVersionBecomesHistoryOnceAndThePastAnomaliesFindingsThatNobodyIsPagedFor() throws Exception {
        Backfill.Step step = backfill(history).step(start(), () -> false);

        assertTrue(step.done());
        assertEquals(List.of(1L, 2L, 3L, 2L, 5L), of(history, "STATE_WRITTEN").stream()
                .map(e -> ((Facts.StateWritten) e.facts()).header().serial()).toList());
        assertTrue(history.history(PATH).stream().allMatch(e -> e.source() == Source.VERSIONS), "marked reconstructed");
        assertEquals(1, of(history, "STATE_DELETED").size());
        assertEquals(5, of(history, "LOCK_ACQUIRED").size(), "four locked applies' locks and the one held now");
        List<HistoryEvent> released = of(history, "LOCK_RELEASED");
        assertEquals(4, released.size());
        assertEquals(List.of(12L), released.stream().map(e -> ((Facts.LockReleased) e.facts()).heldForSeconds())
                .distinct().toList(), "held from its Created to its delete marker");

        assertEquals(List.of("SERIAL_REGRESSION", "STATE_DELETED", "UNLOCKED_WRITE"), step.findings().stream()
                .map(e -> e.type().name()).sorted().toList());
        HistoryEvent unlocked = of(history, "UNLOCKED_WRITE").get(0);
        assertEquals(at(3, 10), unlocked.at(), "the write no lock session covered");
        assertEquals(Boolean.TRUE, ((Facts.AlertRaised) unlocked.facts()).details().get("past"));
        assertEquals(List.of(), published, "findings of the past are never published");
        assertEquals(new Bookkeeping.BackfillCounts(15, 1, 5, 5, 3), step.counts());

        int entries = history.all().size();
        Backfill.Step again = backfill(history).step(start(), () -> false);
        assertEquals(entries, history.all().size(), "run again, it writes nothing new");
        assertEquals(3, again.findings().size(), "and finds the same");
    }

    @Test
    void cutIntoStepsOfAnySizeItRecordsExactlyWhatOneRunRecords() throws Exception {
        backfill(history).step(start(), () -> false);
        Set<String> whole = keys(history);

        for (int pageSize : new int[] {1, 2, 3, 7}) {
            InMemoryHistoryStore cut = new InMemoryHistoryStore();
            backend.versionPageSize = pageSize;
            Bookkeeping.Backfill cursor = start();
            int steps = 0;
            Backfill.Step step;
            do {
                int[] read = {0};
                step = backfill(cut).step(cursor, () -> ++read[0] > 3);
                cursor = step.next();
                assertTrue(++steps < 100, "every step moves on");
            } while (!step.done());
            assertEquals(whole, keys(cut), "pages of " + pageSize + ", " + steps + " steps");
            assertEquals(15, cursor.counts().versionsRead(), "each version counted once");
            assertEquals(3, cursor.counts().findings());
        }
    }

    @Test
    void whatTheLiveHistoryHoldsIsLeftToIt() throws Exception {
        InMemoryBackend.StoredObject current = backend.objects.get(KEY);
        StatePath state = new StatePath(PATH, StateFixtures.BUCKET, KEY, "staging");
        history.write(List.of(new HistoryEvent(state, at(6, 10).plusMillis(420), Source.STATE_OBJECT, "event-live",
                "0062E99A88DC407460", "0", new Facts.StateWritten(new Facts.ObjectFacts(100L, current.etag(),
                current.versionId(), "0062E99A88DC407460", "123456789012", null, null), null, null))));

        backfill(history).step(start(), () -> false);

        assertEquals(List.of(Source.VERSIONS, Source.VERSIONS, Source.VERSIONS, Source.VERSIONS, Source.STATE_OBJECT),
                of(history, "STATE_WRITTEN").stream().map(HistoryEvent::source).toList(),
                "the live write is not written again from its version");
    }

    @Test
    void theStackBackfillsASweepAtATimeAndSaysOnceWhatItFound() throws Exception {
        SweepBackfill sweeps = components(history).sweepBackfill();
        backend.versionPageSize = 4;
        int sweepsRun = 0;
        while (sweeps.run(new java.util.function.BooleanSupplier() {
            int read;

            @Override
            public boolean getAsBoolean() {
                return ++read > 5;
            }
        }).isPresent()) {
            assertTrue(++sweepsRun < 50);
            time.advance(Duration.ofMinutes(5));
        }

        assertTrue(sweepsRun > 2, "resumed from the bookkeeping: " + sweepsRun);
        assertEquals(List.of(AlertType.BACKFILL_COMPLETED), published.stream().map(Alert::type).toList());
        Alert notice = published.get(0);
        assertEquals(3L, notice.facts().get("findings"));
        assertEquals(5L, notice.facts().get("stateWrites"));
        assertEquals(5L, notice.facts().get("lockSessions"));
        assertTrue(notice.summary().contains("3 past findings"), notice.summary());
        assertEquals(Optional.empty(), sweeps.run(() -> false), "done once per stack");
        assertEquals(3, history.all().stream().filter(e -> e.facts() instanceof Facts.AlertRaised a
                && Boolean.TRUE.equals(a.details().get("past"))).count());
    }
}

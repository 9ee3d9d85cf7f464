package dev.lockauditor.audit;

import static dev.lockauditor.audit.StateFixtures.BUCKET;
import static dev.lockauditor.audit.StateFixtures.KEY;
import static dev.lockauditor.audit.StateFixtures.LINEAGE;
import static dev.lockauditor.audit.StateFixtures.PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import dev.lockauditor.history.InMemoryBookkeeping;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Digest checks decide without waiting: at once where Terraform's write order allows, else at a time they name. */
class DigestVerifierTest {

    static final Instant T0 = Instant.parse("2025-03-14T09:31:40Z");
    static final StatePath STATE = new StatePath(PATH, BUCKET, KEY, "staging");
    static final String WRONG = "8b1a9953c4611296a827abf8c47804d7";

    final InMemoryBackend backend = new InMemoryBackend();
    final List<Alert> published = new ArrayList<>();
    final TestTime time = new TestTime(T0.plusSeconds(1));
    final InMemoryHistoryStore history = new InMemoryHistoryStore();
    final DigestVerifier digests = Wiring.components(backend, history, new InMemoryBookkeeping(), new TestLockStream(),
            published, time, Map.of()).digestVerifier();

    @Test
    void aDigestChangedToAValueTheOlderObjectDoesNotHaveIsAMismatchAtOnce() {
        backend.put(KEY, StateFixtures.terraformState(3, LINEAGE), T0.minusSeconds(600));
        backend.digests.put(PATH, WRONG);

        digests.afterDigestChange(STATE, T0, "digest-event", WRONG, null);

        assertEquals(List.of(AlertType.DIGEST_MISMATCH), published.stream().map(Alert::type).toList(),
                "Terraform writes the object before its digest: nothing is still to come");
    }

    @Test
    void aDigestChangeWithAnObjectThatMayBeNewerIsLeftToThatObjectsOwnEvent() {
        backend.put(KEY, StateFixtures.terraformState(4, LINEAGE), T0.plusSeconds(1));
        backend.digests.put(PATH, WRONG);

        digests.afterDigestChange(STATE, T0, "digest-event", WRONG, null);

        assertEquals(List.of(), published);
    }

    @Test
    void afterAWriteADifferingDigestIsDecidedWhenTheGraceIsOverNotBefore() {
        String body = StateFixtures.terraformState(5, LINEAGE);
        backend.put(KEY, body, T0);
        backend.digests.put(PATH, WRONG);

        Optional<Instant> undecided = digests.afterWrite(STATE, T0, "write-event", DigestVerifier.WriteLock.LOCK_TABLE, null, DigestVerifier.Known.NONE);

        assertEquals(Optional.of(T0.plusSeconds(30)), undecided);
        assertEquals(List.of(), published);

        time.advance(Duration.ofSeconds(28));
        assertEquals(Optional.of(T0.plusSeconds(30)), digests.afterWrite(STATE, T0, "write-event", DigestVerifier.WriteLock.LOCK_TABLE, null, DigestVerifier.Known.NONE));
        time.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), digests.afterWrite(STATE, T0, "write-event", DigestVerifier.WriteLock.LOCK_TABLE, null, DigestVerifier.Known.NONE));
        assertEquals(List.of(AlertType.DIGEST_MISMATCH), published.stream().map(Alert::type).toList());
    }

    @Test
    void afterAWriteTheDigestThatFollowedInTimeSettlesIt() {
        String body = StateFixtures.terraformState(6, LINEAGE);
        backend.put(KEY, body, T0);
        backend.digests.put(PATH, WRONG);
        assertTrue(digests.afterWrite(STATE, T0, "write-event", DigestVerifier.WriteLock.LOCK_TABLE, null, DigestVerifier.Known.NONE).isPresent());

        backend.digests.put(PATH, InMemoryBackend.md5(body));
        time.advance(Duration.ofSeconds(30));

        assertEquals(Optional.empty(), digests.afterWrite(STATE, T0, "write-event", DigestVerifier.WriteLock.LOCK_TABLE, null, DigestVerifier.Known.NONE));
        assertEquals(List.of(), published);
    }

    @Test
    void aWriteWhoseObjectWasOverwrittenSinceLeavesTheNewerObjectToItsOwnEvent() {
        backend.put(KEY, StateFixtures.terraformState(7, LINEAGE), T0.plusSeconds(10));
        backend.digests.put(PATH, WRONG);
        time.advance(Duration.ofMinutes(5));

        assertEquals(Optional.empty(), digests.afterWrite(STATE, T0, "older-write", DigestVerifier.WriteLock.LOCK_TABLE, null, DigestVerifier.Known.NONE));
        assertEquals(List.of(), published, "the newer write, under whatever lock it had, is judged by its own event");
    }
}

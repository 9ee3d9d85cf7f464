package dev.lockauditor.audit;

import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.DigestCheck;
import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.rules.StateLineage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.alert.AlertType;
import dev.lockauditor.rules.DigestCheck.Verdict;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import dev.lockauditor.terraform.LockInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plain rules: digests, lock coverage, rollbacks, state keys. */
class StateRulesTest {

    static final Instant T = Instant.parse("2025-03-14T09:31:40.500Z");
    static final Duration GRACE = Duration.ofSeconds(30);

    @Test
    void aDigestDifferingIsOnlyAMismatchAfterTheGrace() {
        String a = "ad37533d627aecda1ac35c00e2ee3a7f";
        String b = "8b1a9953c4611296a827abf8c47804d7";
        assertEquals(Verdict.MATCH, DigestCheck.evaluate(a, a, T, T.plusSeconds(100), GRACE));
        assertEquals(Verdict.NO_DIGEST, DigestCheck.evaluate(null, a, T, T.plusSeconds(100), GRACE));
        assertEquals(Verdict.WAIT, DigestCheck.evaluate(b, a, T, T, GRACE));
        assertEquals(Verdict.WAIT, DigestCheck.evaluate(b, a, T, T.plus(GRACE).minusMillis(1), GRACE));
        assertEquals(Verdict.MISMATCH, DigestCheck.evaluate(b, a, T, T.plus(GRACE), GRACE));
    }

    static HistoryEvent lockEvent(String event, String lockId, Instant at, String created) {
        Facts.Lock lock = new Facts.Lock(lockId, "OperationTypeApply", "ci", "1.11.2",
                created == null ? null : Instant.parse(created), "");
        Facts facts = event.equals("LOCK_ACQUIRED") ? new Facts.LockAcquired(lock, null)
                : new Facts.LockReleased(lock, null, null);
        return new HistoryEvent(new StatePath("b/k", "b", "k", "default"), at, Source.DYNAMODB, "e-" + lockId,
                "1", "0", facts);
    }

    static LockInfo lock(Instant created) {
        return new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "", "ci", "1.11.2",
                created.toString(), "b/k");
    }

    @Test
    void aWriteBetweenAcquireAndReleaseIsLocked() {
        List<HistoryEvent> events = List.of(
                lockEvent("LOCK_ACQUIRED", "a", T.minusSeconds(60), null),
                lockEvent("LOCK_RELEASED", "a", T.plusSeconds(3), null));

        assertTrue(LockCoverage.held(T, events, List.of()));
    }

    @Test
    void lockEventsWithinTheClockSkewStillCover() {
        assertTrue(LockCoverage.held(T, List.of(lockEvent("LOCK_ACQUIRED", "a", T.plusSeconds(2), null)), List.of()));
        assertFalse(LockCoverage.held(T, List.of(lockEvent("LOCK_ACQUIRED", "a", T.plusSeconds(3), null)), List.of()));
        List<HistoryEvent> releasedJustBefore = List.of(
                lockEvent("LOCK_ACQUIRED", "a", T.minusSeconds(60), null),
                lockEvent("LOCK_RELEASED", "a", T.minusSeconds(2), null));
        assertTrue(LockCoverage.held(T, releasedJustBefore, List.of()));
        List<HistoryEvent> releasedBefore = List.of(
                lockEvent("LOCK_ACQUIRED", "a", T.minusSeconds(60), null),
                lockEvent("LOCK_RELEASED", "a", T.minusSeconds(3), null));
        assertFalse(LockCoverage.held(T, releasedBefore, List.of()));
    }

    @Test
    void aReleaseWhoseAcquireWasNeverSeenCoversFromItsCreatedTime() {
        List<HistoryEvent> events = List.of(lockEvent("LOCK_RELEASED", "a", T.plusSeconds(600), T.minusSeconds(3600).toString()));

        assertTrue(LockCoverage.held(T, events, List.of()));
        assertFalse(LockCoverage.held(T.minusSeconds(7200), events, List.of()));
    }

    @Test
    void aLockHeldNowCoversWritesAfterItWasCreated() {
        assertTrue(LockCoverage.held(T, List.of(), List.of(lock(T.minusSeconds(30)))));
        assertFalse(LockCoverage.held(T, List.of(), List.of(lock(T.plusSeconds(30)))));
        assertFalse(LockCoverage.held(T, List.of(), List.of()));
    }

    @Test
    void anOtherLocksReleaseDoesNotEndALock() {
        List<HistoryEvent> events = List.of(
                lockEvent("LOCK_ACQUIRED", "a", T.minusSeconds(60), null),
                lockEvent("LOCK_RELEASED", "b", T.minusSeconds(30), null));

        assertTrue(LockCoverage.held(T, events, List.of()));
    }

    @Test
    void rollbacksAreALowerSerialOrAnotherLineage() {
        assertEquals(Optional.empty(), StateLineage.check(7L, "L", 8L, "L"));
        assertEquals(Optional.empty(), StateLineage.check(7L, "L", 7L, "L"));
        assertEquals(Optional.of(AlertType.SERIAL_REGRESSION), StateLineage.check(7L, "L", 6L, "L"));
        assertEquals(Optional.of(AlertType.LINEAGE_CHANGED), StateLineage.check(7L, "L", 8L, "M"));
        assertEquals(Optional.of(AlertType.LINEAGE_CHANGED), StateLineage.check(7L, "L", 1L, "M"));
        assertEquals(Optional.empty(), StateLineage.check(null, null, 1L, "M"), "the first write of a state");
        assertEquals(Optional.empty(), StateLineage.check(7L, "L", null, null), "an unreadable header");
    }

    @Test
    void stateKeysAreEveryKeyButLockFilesUnlessConfiguredOtherwise() {
        AuditSettings any = new AuditSettings("env:", List.of(), List.of(), GRACE, GRACE);
        assertTrue(any.mayBeState("network/terraform.tfstate"));
        assertTrue(any.mayBeState("prod/app"));
        assertFalse(any.mayBeState("network/terraform.tfstate.tflock"));

        AuditSettings tfstateOnly = new AuditSettings("env:", List.of(".tfstate"), List.of("backup.tfstate"), GRACE, GRACE);
        assertTrue(tfstateOnly.mayBeState("network/terraform.tfstate"));
        assertFalse(tfstateOnly.mayBeState("prod/app"));
        assertFalse(tfstateOnly.mayBeState("network/backup.tfstate"));
    }
}

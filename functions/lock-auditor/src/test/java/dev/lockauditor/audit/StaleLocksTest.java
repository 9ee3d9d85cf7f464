package dev.lockauditor.audit;

import dev.lockauditor.rules.StaleLocks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.config.Environments;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StaleLocksTest {

    static final Instant CREATED = Instant.parse("2025-03-14T09:26:53.589793238Z");
    static final StatePath PROD = new StatePath("acme/env:/prod/network.tfstate", "acme", "env:/prod/network.tfstate", "prod");
    static final StatePath STAGING = new StatePath("acme/env:/staging/network.tfstate", "acme",
            "env:/staging/network.tfstate", "staging");
    static final StatePath LEGACY = new StatePath("acme/legacy/terraform.tfstate", "acme", "legacy/terraform.tfstate", "default");

    final StaleLocks rules = StaleLocks.of(60, 240, "env:/prod/*=180, acme/legacy/* = 600", Environments.only("default"));

    StaleLocksTest() throws MalformedException {
    }

    @Test
    void aLockIsStaleFromTheMinuteItReachesItsThreshold() {
        assertFalse(rules.isStale(STAGING, CREATED, CREATED.plus(Duration.ofMinutes(60)).minusNanos(1)));
        assertTrue(rules.isStale(STAGING, CREATED, CREATED.plus(Duration.ofMinutes(60))));
    }

    @Test
    void overridesMatchTheStateKeyOrTheLockPathAndTheFirstMatchWins() {
        assertEquals(Duration.ofMinutes(180), rules.thresholdFor(PROD));
        assertEquals(Duration.ofMinutes(600), rules.thresholdFor(LEGACY));
        assertEquals(Duration.ofMinutes(60), rules.thresholdFor(STAGING));
        assertFalse(rules.isStale(PROD, CREATED, CREATED.plus(Duration.ofMinutes(179))));
        assertTrue(rules.isStale(PROD, CREATED, CREATED.plus(Duration.ofMinutes(180))));
    }

    @Test
    void anOverrideCanNameAnEnvironmentAndTheFirstMatchStillWins() throws Exception {
        StaleLocks byEnvironment = StaleLocks.of(60, 240, "legacy/*=600,environment:production=120",
                Environments.of("production=env:/prod/*,legacy/*", "staging"));

        assertEquals(Duration.ofMinutes(120), byEnvironment.thresholdFor(PROD));
        assertEquals(Duration.ofMinutes(600), byEnvironment.thresholdFor(LEGACY), "its key pattern comes first");
        assertEquals(Duration.ofMinutes(60), byEnvironment.thresholdFor(STAGING));
    }

    @Test
    void aStaleLockIsAlertedThenRemindedEveryInterval() {
        Instant stale = CREATED.plus(Duration.ofMinutes(60));
        assertEquals(0, rules.alertNumber(STAGING, CREATED, stale));
        assertEquals(0, rules.alertNumber(STAGING, CREATED, stale.plus(Duration.ofMinutes(239))));
        assertEquals(1, rules.alertNumber(STAGING, CREATED, stale.plus(Duration.ofMinutes(240))));
        assertEquals(2, rules.alertNumber(STAGING, CREATED, stale.plus(Duration.ofMinutes(480))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"env:/prod/*", "env:/prod/*=", "env:/prod/*=soon", "=30", "env:/prod/*=0"})
    void overridesThatAreNotPatternEqualsMinutesAreRefused(String overrides) {
        MalformedException e = assertThrows(MalformedException.class, () -> StaleLocks.of(60, 240, overrides, Environments.only("default")));
        assertTrue(e.getMessage().startsWith("STALE_LOCK_OVERRIDES entry"), e.getMessage());
    }
}

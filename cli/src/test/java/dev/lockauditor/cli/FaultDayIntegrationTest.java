package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.testsupport.FaultDay;
import dev.lockauditor.testsupport.FaultKind;
import dev.lockauditor.testsupport.MotoServer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A team's day of Terraform runs (applies, plans, a killed job and its force-unlock, a {@code -lock=false} apply, a
 * rollback, a workspace delete) audited while faults strike at random ({@link FaultDay}), on fixed seeds: every
 * expected history entry once, every expected alert once, no other alert, and every kind of fault injected. A failing
 * seed is replayed with {@code -Dit.test=FaultDayIntegrationTest}; {@code bin/bench chaos} runs new seeds for longer.
 */
class FaultDayIntegrationTest {

    /** The fixed seeds, or the one given as {@code -Dfaultday.seed=SEED} to replay it. */
    static LongStream seeds() {
        Long replayed = Long.getLong("faultday.seed");
        return replayed != null ? LongStream.of(replayed) : LongStream.of(20250314L, 7L, 4242L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aDayOfRandomFaultsLosesNothingDoublesNothingAndRaisesNoFalseAlarm(long seed) throws Exception {
        FaultDay.Result day = FaultDay.run(MotoServer.endpoint(), seed, FaultDay.Settings.standard());
        System.err.println(day.summary());
        day.differences().forEach(line -> System.err.println("  " + line));

        assertTrue(day.clean(), () -> day.summary() + "\n  " + String.join("\n  ", day.differences()));
        List<FaultKind> missing = Arrays.stream(FaultKind.values()).filter(kind -> day.faults().of(kind) == 0).toList();
        assertTrue(missing.isEmpty(), () -> "seed " + seed + ": no fault of kind " + missing + " was injected: "
                + day.summary());
    }
}

package dev.lockauditor.audit;

import java.time.Duration;

/** Waits; tests replace it with a clock that moves. */
@FunctionalInterface
public interface Sleeper {

    Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;

    /** Sleeps, and turns an interruption into a fault that fails the invocation (a retry redoes the work). */
    static void pause(Sleeper sleeper, Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }

    /** Sleeps until {@code deadline} by the clock, but {@code at most} at a time. */
    static void pauseUntil(Sleeper sleeper, java.time.Clock clock, java.time.Instant deadline, Duration atMost) {
        Duration left = Duration.between(clock.instant(), deadline);
        pause(sleeper, left.compareTo(atMost) < 0 ? left : atMost);
    }
}

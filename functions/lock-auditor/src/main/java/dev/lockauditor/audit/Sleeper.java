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
}

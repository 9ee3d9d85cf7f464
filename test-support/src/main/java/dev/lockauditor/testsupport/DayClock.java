package dev.lockauditor.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The clock a simulated day runs on: it stands still until the day moves it, so that minutes of lag, a claim's expiry
 * and a stale lock's hour cost no wall time. The team's Terraform, the events AWS sends and the functions all read it.
 */
public final class DayClock extends Clock {

    private Instant now;

    public DayClock(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    /** Moves the clock to {@code at}; a time already passed leaves it where it is. */
    public synchronized void advanceTo(Instant at) {
        if (at.isAfter(now)) {
            now = at;
        }
    }

    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}

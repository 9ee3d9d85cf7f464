package dev.lockauditor.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A clock that moves only when told to, or when the code under test asks to be brought back later (as the state
 * events queue brings an event back): then it moves to that time, and can run something first.
 */
public final class TestTime extends Clock {

    private Instant now;
    /** The times the code under test asked to be brought back at, in order. */
    public final List<Instant> rechecks = new ArrayList<>();
    private Runnable onRecheck = () -> { };

    public TestTime(Instant start) {
        this.now = start;
    }

    /** What happens in the world while the event waits to come back (a late lock event, a digest written). */
    public void onRecheck(Runnable action) {
        this.onRecheck = action;
    }

    public void advance(Duration duration) {
        now = now.plus(duration);
    }

    /** Time passes until {@code at}, as the queue's delivery delay lets it; then the event comes back. */
    public void recheckAt(Instant at) {
        rechecks.add(at);
        if (at.isAfter(now)) {
            now = at;
        }
        onRecheck.run();
    }

    @Override
    public Instant instant() {
        return now;
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

package dev.lockauditor.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** A clock that only moves when the code under test sleeps; it can run something at each sleep. */
public final class TestTime extends Clock implements Sleeper {

    private Instant now;
    public final List<Duration> sleeps = new ArrayList<>();
    private Runnable onSleep = () -> { };

    public TestTime(Instant start) {
        this.now = start;
    }

    public void onSleep(Runnable action) {
        this.onSleep = action;
    }

    public void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        now = now.plus(duration);
        onSleep.run();
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

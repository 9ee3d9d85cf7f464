package dev.lockauditor.alert;

import dev.lockauditor.history.HistoryEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Raises each alert once, and never loses one: the alert is recorded in its state's history under its identity as
 * pending (a claim that expires), then published, then marked raised. A failed publication takes the claim back at
 * once. A crash between claiming and marking (a timeout, a hung SNS call) leaves the claim to expire; the retry that
 * comes after that publishes it. So an alert is published exactly once in the normal case and at least once after any
 * crash; a retry that finds the claim not yet expired fails, so that it comes back later rather than skipping it.
 */
public record OnceAlerts(AlertClaims claims, AlertPublisher publisher, Clock clock) implements AlertSink {

    /**
     * Longer than an event function's invocation (its timeout is 30 seconds) and than one SNS publish, so that only a
     * crash leaves a claim to expire; short, so that the retries of a stream batch that meets a crashed invocation's
     * claim are not used up before it expires. A publish that outlives it may be repeated: at least once, never lost.
     */
    public static final Duration CLAIM = Duration.ofSeconds(40);

    @Override
    public boolean raise(Alert alert) {
        HistoryEvent entry = alert.toHistoryEvent();
        Instant now = clock.instant();
        switch (claims.claim(entry, now, now.plus(CLAIM))) {
            case RAISED:
                return false;
            case IN_FLIGHT:
                throw new InFlight(alert);
            default:
                break;
        }
        try {
            publisher.publish(alert);
        } catch (RuntimeException e) {
            claims.release(entry);
            throw e;
        }
        claims.markRaised(entry);
        return true;
    }

    /** The alert is being published by another invocation, or was when it crashed: a retry after the claim decides. */
    public static final class InFlight extends RuntimeException {
        public InFlight(Alert alert) {
            super(alert.type() + " for " + alert.state().path() + " is claimed by another invocation until its claim"
                    + " expires", null, false, false);
        }
    }
}

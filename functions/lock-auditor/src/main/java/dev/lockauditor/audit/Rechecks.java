package dev.lockauditor.audit;

import java.time.Instant;

/**
 * Brings an event back later, when a check it asks for can be decided (a lock's events had their lag, a digest its
 * grace), so that no invocation waits for it. Deployed, this is the stack's state events queue with a delivery
 * delay; auditing the same event again records nothing new and raises each alert once.
 */
@FunctionalInterface
public interface Rechecks {

    /** The message attribute an event brought back carries: how many times it was (a number). */
    String ATTEMPT_ATTRIBUTE = "lockAuditorRecheck";

    /**
     * @param document the event as it was delivered
     * @param at       when to deliver it again
     * @param attempt  how many times it will have been brought back, this time included
     */
    void later(String document, Instant at, int attempt);

    /** Nowhere to bring an event back to: the check stays undecided, and says so. */
    Rechecks NONE = (document, at, attempt) -> {
        throw new IllegalStateException("STATE_EVENTS_QUEUE_URL is not set: nothing can bring the event back at " + at);
    };
}

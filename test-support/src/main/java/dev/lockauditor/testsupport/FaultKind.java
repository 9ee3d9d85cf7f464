package dev.lockauditor.testsupport;

/** The faults a fault day injects, each counted where it is injected. */
public enum FaultKind {
    /** A request refused while the endpoint is down (its connection closed without an answer). */
    OUTAGE("requests refused in outages"),
    /** A request answered with the service's own throttling error. */
    THROTTLING("requests throttled"),
    /** A request answered with the service's internal error (HTTP 500). */
    INTERNAL_ERROR("requests failed with an internal error"),
    /** A request the service carried out whose answer was lost (the connection closed before it). */
    RESET("answers lost after the request was carried out"),
    /** The lock table's stream held back for minutes (its function throttled or failing). */
    STREAM_LAG("times the lock stream was held back"),
    /** A stream batch handled, then delivered again. */
    STREAM_REDELIVERY("stream batches delivered again"),
    /** A queue message handled, then delivered again. */
    QUEUE_REDELIVERY("queue messages delivered again"),
    /** An invocation that died partway, after some of its requests were made. */
    CRASH("invocations crashed partway");

    private final String description;

    FaultKind(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}

package dev.lockauditor.alert;

import dev.lockauditor.history.HistoryEvent;
import java.time.Instant;

/**
 * What makes each alert published once and never lost: an alert is claimed (recorded in its state's history as
 * pending, until a time), published, then marked raised. Whoever finds an alert raised does not publish it again;
 * whoever finds it pending leaves it to its claimant until the claim expires. Changing how claims are kept changes
 * whether an alert can be sent twice, or not at all.
 */
public interface AlertClaims {

    /** What a claim found. */
    enum Claim {
        /** The alert is this caller's to publish now. */
        CLAIMED,
        /** It was published before. */
        RAISED,
        /** Someone is publishing it now, or was and may have crashed: try again once its claim has expired. */
        IN_FLIGHT
    }

    /**
     * Claims an alert for publishing: recorded as pending until {@code pendingUntil}, if it is not there yet or an
     * earlier claim on it expired before {@code now} without being marked raised.
     */
    Claim claim(HistoryEvent alert, Instant now, Instant pendingUntil);

    /** The claimed alert was published. */
    void markRaised(HistoryEvent alert);

    /** The claimed alert could not be published: it is claimable again at once. */
    void release(HistoryEvent alert);
}

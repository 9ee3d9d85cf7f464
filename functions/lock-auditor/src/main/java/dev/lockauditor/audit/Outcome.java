package dev.lockauditor.audit;

import dev.lockauditor.history.HistoryEvent;
import java.time.Instant;
import java.util.List;

/**
 * What one event came to: the history it recorded and whether everything it asks was decided, or why it was skipped.
 * "Decide now or look again at a time" is this one type: a check that cannot be decided yet says when it can be, and
 * the event is brought back then (handling it again records nothing new and raises each alert once).
 */
public sealed interface Outcome {

    /**
     * @param events      what history recorded for the first time (an event delivered again records nothing)
     * @param lookAgainAt when a check that could not be decided yet can be; null when every check was decided
     */
    record Recorded(List<HistoryEvent> events, Instant lookAgainAt) implements Outcome {

        public static Recorded decided(List<HistoryEvent> events) {
            return new Recorded(events, null);
        }

        /** The same, looking again at the earlier of its time and {@code other} (null: no other). */
        public Recorded orLookAgainAt(Instant other) {
            return other == null || lookAgainAt != null && !other.isBefore(lookAgainAt) ? this
                    : new Recorded(events, other);
        }
    }

    /** Not Terraform's, or not in its shape: logged once with the reason, never a fault. */
    record Skipped(String reason) implements Outcome {
    }
}

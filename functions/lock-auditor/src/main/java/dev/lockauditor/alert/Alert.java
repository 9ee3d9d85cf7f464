package dev.lockauditor.alert;

import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An alert: what was found, on which state, and what a person should do about it.
 *
 * @param type        what was found
 * @param state       the state it concerns
 * @param lock        the lock involved, or null
 * @param facts       the type's own facts (e.g. {@code expectedDigest}, {@code heldForSeconds}), in order
 * @param detectedAt  when the auditor found it
 * @param summary     one line
 * @param remediation what to do, in words and commands a person can run
 * @param identity    what makes this alert the same alert when it is found again
 */
public record Alert(AlertType type, StatePath state, LockInfo lock, Map<String, Object> facts, Instant detectedAt,
                    String summary, String remediation, Identity identity) {

    /**
     * The alert's identity: the alert is raised once per identity, however often it is found.
     *
     * @param at       when what it is about happened
     * @param source   where that was seen
     * @param position what distinguishes it there (a sequencer, a lock id, a pair of digests)
     * @param sourceId the event that found it first
     */
    public record Identity(Instant at, Source source, String position, String sourceId) {
    }

    public Alert {
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    /**
     * An alert's words, before it is raised: what it is, about which state and lock, its facts, summary and
     * remediation ({@link Alerts}). Raising it ({@link AlertRaiser}) gives it its identity and its time.
     */
    public record Draft(AlertType type, StatePath state, LockInfo lock, Map<String, Object> facts, String summary,
                        String remediation) {

        public Draft {
            facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        }

        Alert at(Instant detectedAt, Identity identity) {
            return new Alert(type, state, lock, facts, detectedAt, summary, remediation, identity);
        }
    }

    public Severity severity() {
        return type.severity();
    }

    /** The alert as an entry of its state's history; its key is the alert's identity. */
    public HistoryEvent toHistoryEvent() {
        return new HistoryEvent(state, identity.at(), identity.source(), identity.sourceId(), identity.position(),
                type.name(), new Facts.AlertRaised(type.name(), severity().name(), lock == null ? null : lock.id(),
                        lock == null ? null : lock.who(), lock == null ? null : lock.operation(), facts, detectedAt,
                        summary));
    }
}

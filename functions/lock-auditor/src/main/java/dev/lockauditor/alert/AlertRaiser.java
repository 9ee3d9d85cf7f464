package dev.lockauditor.alert;

import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The one collaborator that raises alerts: an alert's words ({@link Alerts}), its identity, its time, and raising it
 * once ({@link AlertSink}). The identity says what makes two findings the same alert, so that however often, and from
 * however many events or sweeps, a cause is found again, it is raised once: it is decided here, and only here.
 */
public record AlertRaiser(Alerts words, AlertSink once, Clock clock) {

    /** The alerts' words. */
    public Alerts words() {
        return words;
    }

    /** An alert about one history entry (a write, a deletion, a release): one per entry. */
    public boolean about(HistoryEvent entry, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(entry.at(), entry.source(), entry.position(), entry.sourceId()));
    }

    /**
     * A stale lock's alert number {@code n} (0, then a reminder every interval): the same lock and number is the same
     * alert, whichever sweep finds it and whichever kind of lock (item or lock file) it is seen as.
     */
    public boolean staleLock(Instant created, String lockId, long number, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(created, Source.LOCK, number == 0 ? lockId : lockId + "-" + number,
                "sweep"));
    }

    /** A stale lock's release: once per lock, whichever release of it (item, lock file, sweep) is seen first. */
    public boolean staleLockCleared(Facts.Lock lock, String sourceId, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(lock.created(), Source.LOCK, lock.id(), sourceId));
    }

    /** Two writes of one lineage and serial: once per pair, whichever of the two writes found it. */
    public boolean serialConflict(HistoryEvent earlier, HistoryEvent later, String lineage, long serial,
                                  Alert.Draft draft) {
        return raise(draft, new Alert.Identity(earlier.at(), Source.STATE_OBJECT,
                "serial-conflict-" + lineage + "-" + serial, later.sourceId()));
    }

    /** A digest that is not its object's MD5: once per object write and pair of digests, from either side. */
    public boolean digestMismatch(Instant objectWrittenAt, String expected, String actual, String sourceId,
                                  Alert.Draft draft) {
        return raise(draft, new Alert.Identity(objectWrittenAt, Source.STATE_OBJECT, "digest-" + expected + "-" + actual,
                sourceId));
    }

    /** A digest left behind by writes under lock files: once per state and stale digest, from its last change. */
    public boolean staleDigest(Instant digestChangedAt, String digest, String sourceId, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(digestChangedAt, Source.DYNAMODB, "stale-digest-" + digest, sourceId));
    }

    /**
     * A digest whose state is gone: the same alert as its state's deletion found it, or, for a state deleted before
     * the auditor watched, once per digest value.
     */
    public boolean orphanedDigest(Optional<HistoryEvent> deletion, String digest, Alert.Draft draft) {
        return deletion.map(entry -> about(entry, draft)).orElseGet(() -> raise(draft,
                new Alert.Identity(Instant.EPOCH, Source.DYNAMODB, "orphaned-" + digest, "sweep")));
    }

    /** Who made a change an alert was raised about: one follow-up per alert. */
    public boolean callerIdentified(HistoryEvent alert, String type, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(alert.at(), alert.source(), "caller-" + type + "-" + alert.position(),
                alert.sourceId()));
    }

    /** A lock released by another caller than its holder: once per release. */
    public boolean forcedRelease(HistoryEvent released, String lockId, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(released.at(), released.source(), "forced-" + lockId,
                released.sourceId()));
    }

    /**
     * What an alert would have said about an entry reconstructed from the bucket's versions, as a finding: the history
     * entry to keep (its facts marked {@code past}), never published. The same entry found again is the same finding.
     */
    public HistoryEvent past(HistoryEvent entry, Alert.Draft draft) {
        java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>(draft.facts());
        facts.put(PAST, true);
        facts.putIfAbsent("versionId", entry.sourceId());
        Alert.Draft finding = new Alert.Draft(draft.type(), draft.state(), draft.lock(), facts,
                draft.summary() + " (in the past: found in the bucket's versions)", draft.remediation());
        return finding.at(clock.instant(), new Alert.Identity(entry.at(), entry.source(), entry.position(),
                entry.sourceId())).toHistoryEvent();
    }

    /** The fact that marks a finding of the past, kept in history and never published. */
    public static final String PAST = "past";

    /** A backfill's end: once per backfill of a bucket, by when it started. */
    public boolean backfillCompleted(String bucket, Instant startedAt, Alert.Draft draft) {
        return raise(draft, new Alert.Identity(startedAt, Source.VERSIONS, "backfill-" + bucket, "backfill"));
    }

    private boolean raise(Alert.Draft draft, Alert.Identity identity) {
        return once.raise(draft.at(clock.instant(), identity));
    }
}

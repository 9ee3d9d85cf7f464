package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.events.ApiCall;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who made each change: CloudTrail's records joined to the history events they explain, whichever comes first.
 * An S3 request is joined by its request id, which its object event carries too (else by the one event of its kind
 * on its key in the same second); a lock table request by its {@code LockID}, its kind and its time (the one such
 * change within seconds of it). A record that comes
 * first is kept (a day at most) for its event, which is then recorded with its caller, and the alerts decided on it
 * name the caller; a record that comes after its event is written into that event's history entry, and each alert
 * already raised on that event gets a follow-up ({@code CALLER_IDENTIFIED}) that names the caller. A lock released
 * by another caller than the one that took it is {@code LOCK_FORCE_RELEASED}. Nothing is ever guessed: an event with
 * no record keeps an unknown caller.
 */
public record CallerJoin(HistoryStore history, Bookkeeping bookkeeping, AlertRaiser alerts, String workspaceKeyPrefix,
                         boolean enabled) {

    /** How far apart CloudTrail's time (whole seconds) and the event's may be. */
    static final Duration WINDOW = Duration.ofSeconds(5);
    /** An object's event and its request's record are the same request: the same second (CloudTrail's are whole). */
    static final Duration SAME_SECOND = Duration.ofMillis(1999);
    /** The alerts whose follow-up names the caller of the change they were about. */
    static final Set<String> NAMED = Set.of(AlertType.UNLOCKED_WRITE.name(), AlertType.STATE_DELETED.name(),
            AlertType.SERIAL_REGRESSION.name(), AlertType.LINEAGE_CHANGED.name(), AlertType.SERIAL_CONFLICT.name(),
            AlertType.DIGEST_MISMATCH.name());

    /** What became of one record. */
    public sealed interface Outcome {
    }

    /** Joined to the entry it explains. */
    public record Joined(HistoryEvent entry) implements Outcome {
    }

    /** Kept for an event not recorded yet. */
    public record Kept(String key) implements Outcome {
    }

    public record Skipped(String reason) implements Outcome {
    }

    /** A CloudTrail record of a request on the backend. */
    public Outcome record(ApiCall call) {
        if (!enabled) {
            return new Skipped("caller enrichment is off (CALLER_ENRICHMENT)");
        }
        Target target;
        try {
            target = target(call);
        } catch (MalformedException e) {
            return new Skipped(e.getMessage());
        }
        // Kept whichever way: an event checked again later (brought back to decide) finds its caller here too.
        String key = key(call);
        bookkeeping.called(new Bookkeeping.Called(key, call.at(), call.caller()));
        Optional<HistoryEvent> entry = find(target, call);
        if (entry.isPresent()) {
            attach(entry.get(), call.caller());
            return new Joined(entry.get());
        }
        return new Kept(key);
    }

    /** The caller of an object's event, if its record came first. */
    public Optional<Facts.Caller> ofObject(String requestId) {
        if (!enabled || requestId == null || requestId.isEmpty()) {
            return Optional.empty();
        }
        return bookkeeping.called("s3#" + requestId).map(Bookkeeping.Called::caller);
    }

    /**
     * The caller of a lock table change at {@code at}, if its record came first: the one record of its item and kind
     * within {@link #WINDOW} (two are ambiguous, and join nothing).
     */
    public Optional<Facts.Caller> ofItem(String lockId, boolean deleted, Instant at) {
        if (!enabled) {
            return Optional.empty();
        }
        String prefix = "dynamodb#" + lockId + "#" + (deleted ? "DeleteItem" : "PutItem") + "#";
        List<Bookkeeping.Called> found = bookkeeping.calledBetween(prefix + second(at.minus(WINDOW)),
                prefix + second(at.plus(WINDOW)));
        return found.size() == 1 ? Optional.of(found.get(0).caller()) : Optional.empty();
    }

    /**
     * After an entry whose caller is known was recorded (or its caller became known): a lock released by another
     * caller than the one that took it was forced.
     */
    public void recorded(HistoryEvent entry) {
        if (!enabled || entry.caller() == null || Facts.Caller.TABLE_TTL.equals(entry.caller())) {
            return;
        }
        if (entry.facts() instanceof Facts.LockReleased released && released.lock() != null) {
            other(entry, EventType.LOCK_ACQUIRED, released.lock().id(), true)
                    .ifPresent(acquired -> forced(acquired, entry));
        } else if (entry.facts() instanceof Facts.LockAcquired acquired && acquired.lock() != null) {
            other(entry, EventType.LOCK_RELEASED, acquired.lock().id(), false)
                    .ifPresent(released -> forced(entry, released));
        }
    }

    /** What a record is about: the state, the kind of event and the source that records it. */
    private record Target(StatePath state, EventType type, Source source) {
    }

    private Target target(ApiCall call) throws MalformedException {
        if (call.service() == ApiCall.Service.S3) {
            boolean lockFile = StateKeys.isLockFile(call.key());
            String stateKey = lockFile ? StateKeys.stateKeyOfLockFile(call.key()) : call.key();
            StatePath state = StatePath.parse(StateKeys.lockPath(call.bucket(), stateKey), workspaceKeyPrefix);
            return lockFile
                    ? new Target(state, call.deletes() ? EventType.LOCK_RELEASED : EventType.LOCK_ACQUIRED, Source.S3_LOCK_FILE)
                    : new Target(state, call.deletes() ? EventType.STATE_DELETED : EventType.STATE_WRITTEN, Source.STATE_OBJECT);
        }
        String suffix = StateKeys.digestLockId("");
        boolean digest = call.lockId().endsWith(suffix);
        String path = digest ? call.lockId().substring(0, call.lockId().length() - suffix.length()) : call.lockId();
        StatePath state = StatePath.parse(path, workspaceKeyPrefix);
        return digest
                ? new Target(state, call.deletes() ? EventType.DIGEST_REMOVED : EventType.DIGEST_UPDATED, Source.DYNAMODB)
                : new Target(state, call.deletes() ? EventType.LOCK_RELEASED : EventType.LOCK_ACQUIRED, Source.DYNAMODB);
    }

    /**
     * The entry a record explains: the same S3 request; else, for an event that carries no request id (a lock file's,
     * or a lock table change), the one event of its kind and source within {@link #WINDOW} of it (within
     * {@link #SAME_SECOND} for an object). Two candidates, or none, join nothing: a caller is never guessed.
     */
    private Optional<HistoryEvent> find(Target target, ApiCall call) {
        List<HistoryEvent> near = history.read(HistoryQuery.of(target.state().path()).kinds(target.type())
                        .after(HistoryEvent.eventKeyAt(call.at().minus(WINDOW)))
                        .before(HistoryEvent.eventKeyAt(call.at().plus(WINDOW).plusSeconds(1)))).stream()
                .filter(entry -> entry.source() == target.source())
                .toList();
        if (call.requestId() != null) {
            Optional<HistoryEvent> same = near.stream().filter(entry -> call.requestId().equals(requestId(entry)))
                    .findFirst();
            if (same.isPresent()) {
                return same;
            }
        }
        Duration window = target.source() == Source.DYNAMODB ? WINDOW : SAME_SECOND;
        List<HistoryEvent> candidates = near.stream().filter(entry -> requestId(entry) == null)
                .filter(entry -> Duration.between(entry.at(), call.at()).abs().compareTo(window) <= 0)
                .toList();
        return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
    }

    private static String requestId(HistoryEvent entry) {
        if (entry.facts() instanceof Facts.StateWritten written) {
            return written.object().requestId();
        }
        return entry.facts() instanceof Facts.StateDeleted deleted ? deleted.object().requestId() : null;
    }

    /** An entry's caller became known: kept in its history, named to the alerts raised on it, checked for force. */
    private void attach(HistoryEvent entry, Facts.Caller caller) {
        if (caller.equals(entry.caller())) {
            return;
        }
        HistoryEvent known = entry.withCaller(caller);
        history.replace(known);
        for (HistoryEvent alert : history.read(HistoryQuery.of(entry.state().path())
                .since(entry.at().minus(Duration.ofDays(1))).limit(500))) {
            if (alert.facts() instanceof Facts.AlertRaised raised && NAMED.contains(raised.type())
                    && about(alert, entry)) {
                alerts.callerIdentified(alert, raised.type(), alerts.words().callerIdentified(entry.state(),
                        AlertType.valueOf(raised.type()), entry.at(), caller));
            }
        }
        recorded(known);
    }

    /**
     * Whether an alert is about an event: it names the event's id, or (for an event that has none, such as a
     * notification without a sequencer) the event's time and position.
     */
    private static boolean about(HistoryEvent alert, HistoryEvent entry) {
        if (entry.sourceId() != null) {
            return entry.sourceId().equals(alert.sourceId());
        }
        return alert.sourceId() == null && alert.at().equals(entry.at()) && alert.position().equals(entry.position());
    }

    /** The lock's other end, from the same source: its acquisition before a release, or its release after an acquisition. */
    private Optional<HistoryEvent> other(HistoryEvent entry, EventType type, String lockId, boolean before) {
        HistoryQuery query = HistoryQuery.of(entry.state().path()).kinds(type).limit(20);
        query = before ? query.before(entry.eventKey()).newestFirst() : query.after(entry.eventKey());
        return history.read(query).stream()
                .filter(other -> other.source() == entry.source() && other.caller() != null)
                .filter(other -> Facts.lockOf(other.facts()) != null
                        && lockId.equals(Facts.lockOf(other.facts()).id()))
                .findFirst();
    }

    private void forced(HistoryEvent acquired, HistoryEvent released) {
        Facts.LockReleased facts = (Facts.LockReleased) released.facts();
        if (facts.forced() || Facts.Caller.TABLE_TTL.equals(released.caller())
                || !released.caller().differsFrom(acquired.caller())) {
            return;
        }
        history.replace(released.withFacts(new Facts.LockReleased(facts.lock(), facts.heldForSeconds(),
                facts.versionId(), true)));
        alerts.forcedRelease(released, facts.lock().id(), alerts.words().lockForceReleased(released.state(),
                facts.lock(), acquired.caller(), released.caller(), facts.heldForSeconds()));
    }

    /** The key a record is kept under until its event comes. */
    static String key(ApiCall call) {
        if (call.service() == ApiCall.Service.S3) {
            return "s3#" + call.requestId();
        }
        return "dynamodb#" + call.lockId() + "#" + (call.deletes() ? "DeleteItem" : "PutItem") + "#" + second(call.at());
    }

    /** An epoch second, zero-padded so that keys sort as times. */
    private static String second(Instant at) {
        return String.format("%012d", at.getEpochSecond());
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEntry;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateHeader;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an event on the state bucket means: a state written or deleted, a lock file taken or released, and
 * the rules each one is checked against (rollbacks, unlocked writes, digests, deletions).
 *
 * <p>Only a state's header fields are ever read from it, and only they are recorded.
 */
public final class StateEventAuditor {

    /** The outcome for one event: the history written for it, or why it was skipped. */
    public sealed interface Outcome {
    }

    /**
     * @param recheckAt when a check that could not be decided yet can be (auditing the same event again then
     *                  records nothing new and decides it); null when every check was decided
     */
    public record Recorded(List<HistoryEvent> events, Instant recheckAt) implements Outcome {
        public Recorded(List<HistoryEvent> events) {
            this(events, null);
        }
    }

    public record Skipped(String reason) implements Outcome {
    }

    private static final Duration LOCK_HISTORY_WINDOW = Duration.ofDays(1);
    private static final Set<String> WRITES = Set.of(EventType.STATE_WRITTEN.name());
    private static final Set<String> LOCK_EVENTS = Set.of(EventType.LOCK_ACQUIRED.name(), EventType.LOCK_RELEASED.name());

    private final AuditSettings settings;
    private final StateBucket bucket;
    private final LockTable locks;
    private final HistoryStore history;
    private final AlertSink sink;
    private final Alerts alerts;
    private final DigestVerifier digests;
    private final StaleLockNotices staleLocks;
    private final Clock clock;

    public StateEventAuditor(AuditSettings settings, StateBucket bucket, LockTable locks, HistoryStore history,
                             AlertSink sink, Alerts alerts, StaleLockNotices staleLocks, Clock clock) {
        this.settings = settings;
        this.bucket = bucket;
        this.locks = locks;
        this.history = history;
        this.sink = sink;
        this.alerts = alerts;
        this.staleLocks = staleLocks;
        this.clock = clock;
        this.digests = new DigestVerifier(bucket, locks, sink, alerts, settings.digestGrace(), clock);
    }

    public Outcome audit(ObjectEvent event) throws HistoryStore.WriteFailure {
        boolean lockFile = StateKeys.isLockFile(event.key());
        if (!lockFile && !settings.mayBeState(event.key())) {
            return new Skipped("not a state key (see STATE_INCLUDE_SUFFIXES and STATE_EXCLUDE_SUFFIXES)");
        }
        String stateKey = lockFile ? StateKeys.stateKeyOfLockFile(event.key()) : event.key();
        StatePath state;
        try {
            state = StatePath.parse(StateKeys.lockPath(event.bucket(), stateKey), settings.workspaceKeyPrefix());
        } catch (MalformedException e) {
            return new Skipped(e.getMessage());
        }
        if (lockFile) {
            return event.kind() == ObjectEvent.Kind.CREATED ? lockFileCreated(state, event) : lockFileDeleted(state, event);
        }
        return event.kind() == ObjectEvent.Kind.CREATED ? stateWritten(state, event) : stateDeleted(state, event);
    }

    private Outcome stateWritten(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        Map<String, Object> facts = objectFacts(event);
        StateHeader header = null;
        try {
            Optional<byte[]> prefix = bucket.prefix(event.key(), event.versionId(), StateHeader.PREFIX_BYTES);
            if (prefix.isEmpty()) {
                return new Skipped("the object was gone before its header could be read");
            }
            header = StateHeader.parse(prefix.get());
        } catch (StateBucket.Unreadable e) {
            facts.put("headerReadable", false);
            facts.put("encryption", e.getMessage());
        } catch (MalformedException e) {
            return new Skipped(e.getMessage());
        }
        if (header != null && header.encrypted()) {
            facts.put("headerReadable", false);
            facts.put("encryption", "OpenTofu state encryption");
        } else if (header != null) {
            facts.put("stateVersion", header.version());
            if (header.terraformVersion() != null) {
                facts.put("terraformVersion", header.terraformVersion());
            }
            facts.put("serial", header.serial());
            facts.put("lineage", header.lineage());
        }
        HistoryEvent written = event(state, EventType.STATE_WRITTEN, Source.STATE_OBJECT, event, facts);
        history.write(List.of(written));

        if (header != null && !header.encrypted()) {
            checkLineage(state, written, header);
        }
        Optional<Instant> locked = checkLocked(state, event, header == null ? null : header.serial());
        Optional<Instant> digest = digests.afterWrite(state, event.at(), event.eventId());
        return new Recorded(List.of(written), earliest(locked, digest));
    }

    /** The write against the one before it, and the one after it (when events came out of order) against it. */
    private void checkLineage(StatePath state, HistoryEvent written, StateHeader header) {
        for (HistoryEntry previous : history.read(state.path(), null, written.eventKey(), true, WRITES, 1)) {
            StateLineage.check(previous.number("serial"), previous.string("lineage"), header.serial(), header.lineage())
                    .ifPresent(type -> sink.raise(rollback(type, state, previous.number("serial"),
                            previous.string("lineage"), header.serial(), header.lineage(),
                            writerOf(written.facts()), identity(written))));
        }
        for (HistoryEntry next : history.read(state.path(), written.eventKey(), null, false, WRITES, 1)) {
            StateLineage.check(header.serial(), header.lineage(), next.number("serial"), next.string("lineage"))
                    .ifPresent(type -> sink.raise(rollback(type, state, header.serial(), header.lineage(),
                            next.number("serial"), next.string("lineage"), writerOf(next.fields()), identity(next))));
        }
    }

    private Alert rollback(AlertType type, StatePath state, long previousSerial, String previousLineage, long serial,
                           String lineage, Writer writer, Alert.Identity identity) {
        return type == AlertType.SERIAL_REGRESSION
                ? alerts.serialRegression(state, previousSerial, serial, lineage, writer, clock.instant(), identity)
                : alerts.lineageChanged(state, previousLineage, previousSerial, lineage, serial, writer, clock.instant(),
                        identity);
    }

    /**
     * Unlocked writes: no lock held at the write, neither in the lock history nor now. The lock's own events may
     * arrive up to the lock event lag after the write's, so an uncovered write is only alerted once that lag has
     * passed; until then this says when to look again.
     */
    private Optional<Instant> checkLocked(StatePath state, ObjectEvent event, Long serial) {
        String from = HistoryEvent.eventKeyAt(event.at().minus(LOCK_HISTORY_WINDOW));
        List<HistoryEntry> lockEvents = history.read(state.path(), from, null, true, LOCK_EVENTS, 200);
        if (LockCoverage.held(event.at(), lockEvents, currentLocks(state))) {
            return Optional.empty();
        }
        Instant deadline = event.at().plus(settings.lockEventLag());
        Instant now = clock.instant();
        if (now.isBefore(deadline)) {
            return Optional.of(deadline);
        }
        sink.raise(alerts.unlockedWrite(state, event.writer(), serial, event.at(), now,
                new Alert.Identity(event.at(), Source.STATE_OBJECT, event.orderedSequencer(), event.eventId())));
        return Optional.empty();
    }

    private static Instant earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isPresent() && b.isPresent()) {
            return a.get().isBefore(b.get()) ? a.get() : b.get();
        }
        return a.or(() -> b).orElse(null);
    }

    private List<LockInfo> currentLocks(StatePath state) {
        List<LockInfo> held = new ArrayList<>(2);
        locks.lock(state.path()).ifPresent(held::add);
        LockFiles.held(bucket, state, StateKeys.lockFileKey(state.key())).ifPresent(held::add);
        return held;
    }

    private Outcome stateDeleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        Map<String, Object> facts = objectFacts(event);
        facts.put("deleteMarker", event.deleteMarker());
        HistoryEvent deleted = event(state, EventType.STATE_DELETED, Source.STATE_OBJECT, event, facts);
        history.write(List.of(deleted));
        Alert.Identity identity = identity(deleted);
        sink.raise(alerts.stateDeleted(state, event.writer(), event.deleteMarker(), event.versionId(), event.at(),
                clock.instant(), identity));
        return new Recorded(List.of(deleted), checkOrphanedDigest(state, event, identity).orElse(null));
    }

    /**
     * A digest left behind by a deleted state. Terraform deletes it right after the object, so it is only orphaned
     * once the digest grace has passed; until then this says when to look again.
     */
    private Optional<Instant> checkOrphanedDigest(StatePath state, ObjectEvent event, Alert.Identity identity) {
        if (bucket.head(state.key()).isPresent()) {
            return Optional.empty();
        }
        Optional<String> digest = locks.digest(state.path());
        if (digest.isEmpty()) {
            return Optional.empty();
        }
        Instant deadline = event.at().plus(settings.digestGrace());
        Instant now = clock.instant();
        if (now.isBefore(deadline)) {
            return Optional.of(deadline);
        }
        sink.raise(alerts.orphanedDigest(state, digest.get(), now, identity));
        return Optional.empty();
    }

    private Outcome lockFileCreated(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        LockInfo info;
        try {
            Optional<LockInfo> read = LockFiles.read(bucket, state, event.key(), event.versionId());
            if (read.isEmpty()) {
                return new Skipped("the lock file was gone before it could be read");
            }
            info = read.get();
        } catch (MalformedException e) {
            return new Skipped(e.getMessage());
        } catch (StateBucket.Unreadable e) {
            return new Skipped("the lock file cannot be read: " + e.getMessage());
        }
        Map<String, Object> facts = LockFacts.of(info);
        putIfSet(facts, "versionId", event.versionId());
        HistoryEvent acquired = event(state, EventType.LOCK_ACQUIRED, Source.S3_LOCK_FILE, event, facts);
        history.write(List.of(acquired));
        return new Recorded(List.of(acquired));
    }

    private Outcome lockFileDeleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        String key = HistoryEvent.eventKey(event.at(), Source.S3_LOCK_FILE, event.orderedSequencer(), "0");
        Map<String, Object> facts = new LinkedHashMap<>();
        history.read(state.path(), null, key, true, Set.of(EventType.LOCK_ACQUIRED.name()), 20).stream()
                .filter(entry -> Source.S3_LOCK_FILE.label().equals(entry.source()))
                .findFirst()
                .ifPresent(acquired -> {
                    facts.putAll(LockFacts.of(acquired));
                    facts.put("heldForSeconds", Math.max(0, Duration.between(heldSince(acquired), event.at()).getSeconds()));
                });
        putIfSet(facts, "versionId", event.versionId());
        HistoryEvent released = event(state, EventType.LOCK_RELEASED, Source.S3_LOCK_FILE, event, facts);
        history.write(List.of(released));
        staleLocks.released(state, facts, event.at(), event.eventId());
        return new Recorded(List.of(released));
    }

    private static Instant heldSince(HistoryEntry acquired) {
        try {
            return LockInfo.parseCreated(acquired.string("created"));
        } catch (MalformedException e) {
            return acquired.at();
        }
    }

    private static HistoryEvent event(StatePath state, EventType type, Source source, ObjectEvent event,
                                      Map<String, Object> facts) {
        return new HistoryEvent(state, type, event.at(), source, event.eventId(), event.orderedSequencer(), "0", facts);
    }

    private static Alert.Identity identity(HistoryEvent event) {
        return new Alert.Identity(event.at(), event.source(), event.position(), event.sourceId());
    }

    private static Alert.Identity identity(HistoryEntry entry) {
        return new Alert.Identity(entry.at(), Source.STATE_OBJECT, entry.string("sourcePosition"),
                entry.string("sourceEventId"));
    }

    private static Map<String, Object> objectFacts(ObjectEvent event) {
        Map<String, Object> facts = new LinkedHashMap<>();
        putIfSet(facts, "size", event.size());
        putIfSet(facts, "etag", event.etag());
        putIfSet(facts, "versionId", event.versionId());
        putIfSet(facts, "sequencer", event.sequencer());
        putIfSet(facts, "writer", event.writer().requester());
        putIfSet(facts, "sourceIp", event.writer().sourceIp());
        putIfSet(facts, "reason", event.reason());
        return facts;
    }

    private static Writer writerOf(Map<String, Object> fields) {
        return new Writer((String) fields.get("writer"), (String) fields.get("sourceIp"));
    }

    private static void putIfSet(Map<String, Object> facts, String name, Object value) {
        if (value != null && !(value instanceof String text && text.isEmpty())) {
            facts.put(name, value);
        }
    }
}

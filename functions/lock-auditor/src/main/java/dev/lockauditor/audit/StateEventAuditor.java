package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
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
import java.util.List;
import java.util.Optional;

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
        StateHeader header = null;
        String unreadable = null;
        try {
            Optional<byte[]> prefix = bucket.prefix(event.key(), event.versionId(), StateHeader.PREFIX_BYTES);
            if (prefix.isEmpty()) {
                return new Skipped("the object was gone before its header could be read");
            }
            header = StateHeader.parse(prefix.get());
        } catch (StateBucket.Unreadable e) {
            unreadable = e.getMessage();
        } catch (MalformedException e) {
            return new Skipped(e.getMessage());
        }
        Facts.Header fields = null;
        if (header != null && header.encrypted()) {
            unreadable = "OpenTofu state encryption";
        }
        if (header != null && header.serial() != null && header.lineage() != null) {
            fields = new Facts.Header(header.version(), header.terraformVersion(), header.serial(), header.lineage());
        }
        HistoryEvent written = event(state, Source.STATE_OBJECT, event,
                new Facts.StateWritten(objectFacts(event), fields, unreadable));
        history.write(List.of(written));

        if (fields != null) {
            checkLineage(state, written, fields);
        }
        Optional<Instant> locked = checkLocked(state, event, header == null ? null : header.serial());
        Optional<Instant> digest = digests.afterWrite(state, event.at(), event.eventId());
        return new Recorded(List.of(written), earliest(locked, digest));
    }

    /** The write against the one before it, and the one after it (when events came out of order) against it. */
    private void checkLineage(StatePath state, HistoryEvent written, Facts.Header header) {
        HistoryQuery writes = HistoryQuery.of(state.path()).kinds(EventType.STATE_WRITTEN).limit(1);
        for (HistoryEvent previous : history.read(writes.before(written.eventKey()).newestFirst())) {
            Facts.Header before = ((Facts.StateWritten) previous.facts()).header();
            if (before != null) {
                StateLineage.check(before.serial(), before.lineage(), header.serial(), header.lineage())
                        .ifPresent(type -> sink.raise(rollback(type, state, before, header, writerOf(written),
                                identity(written))));
            }
        }
        for (HistoryEvent next : history.read(writes.after(written.eventKey()))) {
            Facts.Header after = ((Facts.StateWritten) next.facts()).header();
            if (after != null) {
                StateLineage.check(header.serial(), header.lineage(), after.serial(), after.lineage())
                        .ifPresent(type -> sink.raise(rollback(type, state, header, after, writerOf(next),
                                identity(next))));
            }
        }
    }

    private Alert rollback(AlertType type, StatePath state, Facts.Header previous, Facts.Header header, Writer writer,
                           Alert.Identity identity) {
        return type == AlertType.SERIAL_REGRESSION
                ? alerts.serialRegression(state, previous.serial(), header.serial(), header.lineage(), writer,
                        clock.instant(), identity)
                : alerts.lineageChanged(state, previous.lineage(), previous.serial(), header.lineage(), header.serial(),
                        writer, clock.instant(), identity);
    }

    /**
     * Unlocked writes: no lock held at the write, neither in the lock history nor now. The lock's own events may
     * arrive up to the lock event lag after the write's, so an uncovered write is only alerted once that lag has
     * passed; until then this says when to look again.
     */
    private Optional<Instant> checkLocked(StatePath state, ObjectEvent event, Long serial) {
        List<HistoryEvent> lockEvents = history.read(HistoryQuery.of(state.path())
                .kinds(EventType.LOCK_ACQUIRED, EventType.LOCK_RELEASED).since(event.at().minus(LOCK_HISTORY_WINDOW))
                .newestFirst().limit(200));
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
        HistoryEvent deleted = event(state, Source.STATE_OBJECT, event,
                new Facts.StateDeleted(objectFacts(event), event.deleteMarker()));
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
        Optional<String> digest = locks.digest(state.path());
        Instant now = clock.instant();
        if (digest.isEmpty() || !(BackendReview.digest(bucket, state, digest.get(), false, now, settings.digestGrace())
                .finding().orElse(null) instanceof BackendReview.OrphanedDigest)) {
            return Optional.empty();
        }
        Instant deadline = event.at().plus(settings.digestGrace());
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
        HistoryEvent acquired = event(state, Source.S3_LOCK_FILE, event,
                new Facts.LockAcquired(Facts.Lock.of(info), event.versionId()));
        history.write(List.of(acquired));
        return new Recorded(List.of(acquired));
    }

    private Outcome lockFileDeleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        String key = HistoryEvent.eventKey(event.at(), Source.S3_LOCK_FILE, event.orderedSequencer(), "0");
        Optional<HistoryEvent> acquired = history.read(HistoryQuery.of(state.path()).kinds(EventType.LOCK_ACQUIRED)
                        .before(key).newestFirst().limit(20)).stream()
                .filter(entry -> entry.source() == Source.S3_LOCK_FILE)
                .findFirst();
        Facts.Lock lock = acquired.map(entry -> ((Facts.LockAcquired) entry.facts()).lock()).orElse(null);
        Long heldFor = acquired.map(entry -> {
            Instant since = lock != null && lock.created() != null ? lock.created() : entry.at();
            return Math.max(0, Duration.between(since, event.at()).getSeconds());
        }).orElse(null);
        HistoryEvent released = event(state, Source.S3_LOCK_FILE, event,
                new Facts.LockReleased(lock, heldFor, event.versionId()));
        history.write(List.of(released));
        staleLocks.released(state, lock, event.at(), event.eventId());
        return new Recorded(List.of(released));
    }

    private static HistoryEvent event(StatePath state, Source source, ObjectEvent event, Facts facts) {
        return new HistoryEvent(state, event.at(), source, event.eventId(), event.orderedSequencer(), "0", facts);
    }

    private static Alert.Identity identity(HistoryEvent event) {
        return new Alert.Identity(event.at(), event.source(), event.position(), event.sourceId());
    }

    private static Facts.ObjectFacts objectFacts(ObjectEvent event) {
        return new Facts.ObjectFacts(event.size(), event.etag(), event.versionId(), event.sequencer(),
                event.writer().requester(), event.writer().sourceIp(), event.reason());
    }

    private static Writer writerOf(HistoryEvent write) {
        Facts.ObjectFacts object = ((Facts.StateWritten) write.facts()).object();
        return new Writer(object.writer(), object.sourceIp());
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertSink;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.Operations;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
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
    /** How soon after its workspace-delete lock is released Terraform deletes the state. */
    private static final Duration WORKSPACE_DELETE_WINDOW = Duration.ofMinutes(1);

    private final AuditSettings settings;
    private final StateBucket bucket;
    private final LockTable locks;
    private final HistoryStore history;
    private final AlertSink sink;
    private final Alerts alerts;
    private final DigestVerifier digests;
    private final StaleLockNotices staleLocks;
    private final LockHistoryProgress progress;
    private final LockIndex index;
    private final CallerJoin callers;
    private final Clock clock;

    public StateEventAuditor(AuditSettings settings, StateBucket bucket, LockTable locks, HistoryStore history,
                             AlertSink sink, Alerts alerts, StaleLockNotices staleLocks, LockHistoryProgress progress,
                             LockIndex index, CallerJoin callers, Clock clock) {
        this.settings = settings;
        this.callers = callers;
        this.progress = progress;
        this.index = index;
        this.bucket = bucket;
        this.locks = locks;
        this.history = history;
        this.sink = sink;
        this.alerts = alerts;
        this.staleLocks = staleLocks;
        this.clock = clock;
        this.digests = new DigestVerifier(bucket, locks, history, sink, alerts, settings.digestGrace(), clock);
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

    /**
     * A write at a state's key: its header recorded and checked. What Terraform would refuse to load is recorded too,
     * and alerted, when the key held a state (by history, or by the bucket's versions) or is named as a state's;
     * anything else that is not a state (a plan file, an archive, an object of another tool) is skipped.
     */
    private Outcome stateWritten(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        Optional<StateHeaders.Read> read = StateHeaders.read(bucket, event.key(), event.versionId(), event.etag(),
                progress.watchesLockTable());
        if (read.isEmpty()) {
            return new Skipped("the object was gone before its header could be read");
        }
        StateHeaders.Read object = read.get();
        Restores.LastReadable lastReadable = null;
        if (object.notAState() != null) {
            lastReadable = Restores.before(bucket, state, event.versionId(), alerts.lockTableName());
            if (!settings.namedAsState(event.key()) && lastReadable.restore().isEmpty() && !heldAState(state)) {
                return new Skipped("not a state: " + object.notAState());
            }
        }
        Facts.Header fields = object.fields();
        HistoryEvent written = event(state, Source.STATE_OBJECT, event, new Facts.StateWritten(objectFacts(event),
                fields, object.whyNoHeader(), object.found(), object.contentType()));
        List<HistoryEvent> recorded = history.write(List.of(written));

        if (fields != null) {
            checkLineage(state, written, fields);
        }
        if (lastReadable != null) {
            sink.raise(alerts.stateUnreadable(state, object.notAState(), object.found(), object.contentType(),
                    event.size(), writerOf(written), lastReadable.restore().orElse(null), lastReadable.versioned(),
                    event.at(), clock.instant(), identity(written)));
        }
        // Whether, and by which kind of lock, the write was covered decides both the unlocked write and which digest
        // rule applies: a lock table lock seen covering it decides at once; anything less only once the lock history
        // is complete past the write.
        Set<Source> kinds = lockKinds(state, event.at());
        Instant now = clock.instant();
        if (!kinds.contains(Source.DYNAMODB)) {
            Optional<Instant> undecided = lockHistoryIncomplete(event.at(), kinds.isEmpty(), now);
            if (undecided.isPresent()) {
                return new Recorded(recorded, undecided.get());
            }
            kinds = lockKinds(state, event.at());
        }
        if (kinds.isEmpty() && lockFileVersionsCover(state, event.at())) {
            kinds.add(Source.S3_LOCK_FILE);
        }
        if (kinds.isEmpty()) {
            sink.raise(alerts.unlockedWrite(state, writerOf(written), fields == null ? null : fields.serial(), event.at(),
                    now, new Alert.Identity(event.at(), Source.STATE_OBJECT, event.orderedSequencer(), event.eventId())));
        }
        if (object.notAState() != null || !progress.watchesLockTable()) {
            // Without a lock table there is no digest. An object that is not a state has no right digest, and setting
            // the digest to its MD5 is the wrong advice: the restore says what is.
            return new Recorded(recorded);
        }
        DigestVerifier.WriteLock lock = kinds.contains(Source.DYNAMODB) ? DigestVerifier.WriteLock.LOCK_TABLE
                : kinds.isEmpty() ? DigestVerifier.WriteLock.NONE : DigestVerifier.WriteLock.LOCK_FILE_ONLY;
        return new Recorded(recorded, digests.afterWrite(state, event.at(), event.eventId(), lock, written.caller(),
                new DigestVerifier.Known(event.etag(), object.md5())).orElse(null));
    }

    /** Whether the state's history holds a write of a readable state. */
    private boolean heldAState(StatePath state) {
        return history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_WRITTEN).newestFirst().limit(20))
                .stream().anyMatch(entry -> entry.facts() instanceof Facts.StateWritten earlier && earlier.header() != null);
    }

    /**
     * When to look again at an event whose lock history may not be complete yet: the lock files' events (which come
     * with the state's, in any order) have their lag; the lock table's are complete when {@link LockHistoryProgress}
     * says so, however long that takes.
     *
     * @param uncovered whether no lock at all is known to cover the event (else a lock file alone is)
     */
    private Optional<Instant> lockHistoryIncomplete(Instant at, boolean uncovered, Instant now) {
        Instant lagOver = at.plus(settings.lockEventLag());
        if (uncovered && now.isBefore(lagOver)) {
            return Optional.of(lagOver);
        }
        if ((uncovered || progress.watchesLockTable()) && !progress.completeThrough(at)) {
            return Optional.of(now.plus(settings.recheckEvery()));
        }
        return Optional.empty();
    }

    /**
     * The write against the one before it, and the one after it (when events came out of order) against it; a
     * deletion between them makes the later write a new state, compared with nothing.
     */
    private void checkLineage(StatePath state, HistoryEvent written, Facts.Header header) {
        HistoryQuery neighbour = HistoryQuery.of(state.path()).kinds(EventType.STATE_WRITTEN, EventType.STATE_DELETED)
                .limit(1);
        for (HistoryEvent previous : history.read(neighbour.before(written.eventKey()).newestFirst())) {
            if (previous.facts() instanceof Facts.StateWritten before && before.header() != null) {
                compare(state, previous, before.header(), written, header);
            }
        }
        for (HistoryEvent next : history.read(neighbour.after(written.eventKey()))) {
            if (next.facts() instanceof Facts.StateWritten after && after.header() != null) {
                compare(state, written, header, next, after.header());
            }
        }
    }

    private void compare(StatePath state, HistoryEvent earlier, Facts.Header before, HistoryEvent later,
                         Facts.Header after) {
        StateLineage.check(before.serial(), before.lineage(), after.serial(), after.lineage(),
                        () -> contentDiffers(state, earlier, later))
                .ifPresent(type -> sink.raise(type == AlertType.SERIAL_CONFLICT
                        ? alerts.serialConflict(state, after.lineage(), after.serial(), writerOf(earlier), earlier.at(),
                                objectOf(earlier).versionId(), writerOf(later), later.at(), objectOf(later).versionId(),
                                clock.instant(), new Alert.Identity(earlier.at(), Source.STATE_OBJECT,
                                        "serial-conflict-" + after.lineage() + "-" + after.serial(), later.sourceId()))
                        : rollback(type, state, before, after, writerOf(later), identity(later))));
    }

    /**
     * Whether two writes of a state hold different content: their sizes differ, or the MD5s of their versions do.
     * Without versions or sizes to tell, it cannot be told, and is not claimed.
     */
    private boolean contentDiffers(StatePath state, HistoryEvent earlier, HistoryEvent later) {
        Facts.ObjectFacts a = objectOf(earlier);
        Facts.ObjectFacts b = objectOf(later);
        if (a.size() != null && b.size() != null && !a.size().equals(b.size())) {
            return true;
        }
        if (a.versionId() == null || b.versionId() == null || a.versionId().equals(b.versionId())) {
            return false;
        }
        try {
            Optional<String> first = bucket.md5(state.key(), a.versionId());
            Optional<String> second = bucket.md5(state.key(), b.versionId());
            return first.isPresent() && second.isPresent() && !first.get().equals(second.get());
        } catch (StateBucket.Unreadable e) {
            return false;
        }
    }

    private static Facts.ObjectFacts objectOf(HistoryEvent write) {
        return ((Facts.StateWritten) write.facts()).object();
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
     * The kinds of lock ({@code dynamodb}, {@code s3}) held on a state when it was written, from its lock history and
     * the locks held now ({@link LockCoverage}); none when it was written unlocked, as far as is known yet.
     */
    private Set<Source> lockKinds(StatePath state, Instant at) {
        Set<Source> kinds = EnumSet.noneOf(Source.class);
        for (LockCoverage.Span span : LockCoverage.spans(lockHistory(state, at))) {
            if (span.covers(at)) {
                kinds.addAll(span.sources());
            }
        }
        locks.lock(state.path()).filter(lock -> LockCoverage.covers(lock, at))
                .ifPresent(lock -> kinds.add(Source.DYNAMODB));
        LockFiles.held(bucket, state, StateKeys.lockFileKey(state.key())).filter(lock -> LockCoverage.covers(lock, at))
                .ifPresent(lock -> kinds.add(Source.S3_LOCK_FILE));
        kinds.remove(Source.LOCK);
        return kinds;
    }

    /**
     * Before a write is called unlocked: whether the bucket's own versions of the lock file show one held then. They
     * are the complete record of a versioned bucket's lock files, whatever became of their events; asked only of a
     * write no lock was seen covering, so it costs a listing only where an alert is about to be raised.
     */
    private boolean lockFileVersionsCover(StatePath state, Instant at) {
        return LockCoverage.lockFileSpans(bucket.versionsOf(StateKeys.lockFileKey(state.key()))).stream()
                .anyMatch(span -> span.covers(at));
    }

    private List<HistoryEvent> lockHistory(StatePath state, Instant around) {
        return history.read(HistoryQuery.of(state.path()).kinds(EventType.LOCK_ACQUIRED, EventType.LOCK_RELEASED)
                .since(around.minus(LOCK_HISTORY_WINDOW)).newestFirst().limit(200));
    }

    private Outcome stateDeleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        HistoryEvent deleted = event(state, Source.STATE_OBJECT, event,
                new Facts.StateDeleted(objectFacts(event), event.deleteMarker()));
        List<HistoryEvent> recorded = history.write(List.of(deleted));
        Optional<Instant> undecided = lockHistoryIncomplete(event.at(), true, clock.instant());
        Alert.Identity identity = identity(deleted);
        Optional<LockCoverage.Span> workspaceDelete = LockCoverage.spans(lockHistory(state, event.at())).stream()
                .filter(span -> span.lock() != null && Operations.isWorkspaceDelete(span.lock().operation())
                        && span.end() != null && !span.end().isAfter(event.at().plus(LockCoverage.SKEW))
                        && !span.end().isBefore(event.at().minus(WORKSPACE_DELETE_WINDOW)))
                .reduce((a, b) -> b.end().isAfter(a.end()) ? b : a);
        if (workspaceDelete.isPresent()) {
            // terraform workspace delete: lock, release, then the object and its digest item go. One notice.
            sink.raise(alerts.workspaceDeleted(state, workspaceDelete.get().lock().toLockInfo(state.path()),
                    writerOf(deleted), event.deleteMarker(), event.versionId(), event.at(), clock.instant(), identity));
            return new Recorded(recorded);
        }
        if (undecided.isPresent()) {
            return new Recorded(recorded, undecided.get());
        }
        sink.raise(alerts.stateDeleted(state, writerOf(deleted), event.deleteMarker(), event.versionId(), event.at(),
                clock.instant(), identity));
        return new Recorded(recorded, checkOrphanedDigest(state, event, identity).orElse(null));
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
        LockFiles.Found found = LockFiles.ofWrite(bucket, state, event.key(), event.versionId(), event.etag());
        if (found instanceof LockFiles.Foreign foreign) {
            index.foreignLockFile(event.key(), lockFileEventKey(event), foreign.reason());
            return new Skipped("not a lock file: " + foreign.reason());
        }
        // A lock file whose lock info could not be read is a lock all the same, held by someone unknown.
        Facts.Lock lock = found instanceof LockFiles.Held held ? Facts.Lock.of(held.info())
                : LockFiles.unread(event.orderedSequencer(), event.at());
        HistoryEvent acquired = event(state, Source.S3_LOCK_FILE, event,
                new Facts.LockAcquired(lock, event.versionId()));
        List<HistoryEvent> recorded = history.write(List.of(acquired));
        index.recorded(List.of(acquired));
        callers.recorded(acquired);
        return new Recorded(recorded);
    }

    /**
     * A lock file's deletion releases the lock its last creation before it took; when that creation was not lock info,
     * the deletion is skipped for the same reason.
     */
    private Outcome lockFileDeleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        String key = lockFileEventKey(event);
        Optional<HistoryEvent> acquired = history.read(HistoryQuery.of(state.path()).kinds(EventType.LOCK_ACQUIRED)
                        .before(key).newestFirst().limit(20)).stream()
                .filter(entry -> entry.source() == Source.S3_LOCK_FILE)
                .findFirst();
        Optional<Bookkeeping.ForeignLockFile> foreign = index.foreignLockFile(event.key())
                .filter(file -> file.eventKey().compareTo(key) < 0
                        && acquired.map(entry -> file.eventKey().compareTo(entry.eventKey()) > 0).orElse(true));
        if (foreign.isPresent()) {
            return new Skipped("not a lock file: " + foreign.get().reason());
        }
        Facts.Lock lock = acquired.map(entry -> ((Facts.LockAcquired) entry.facts()).lock()).orElse(null);
        Long heldFor = acquired.map(entry -> {
            Instant since = lock != null && lock.created() != null ? lock.created() : entry.at();
            return Math.max(0, Duration.between(since, event.at()).getSeconds());
        }).orElse(null);
        HistoryEvent released = event(state, Source.S3_LOCK_FILE, event,
                new Facts.LockReleased(lock, heldFor, event.versionId()));
        List<HistoryEvent> recorded = history.write(List.of(released));
        index.recorded(List.of(released));
        callers.recorded(released);
        staleLocks.released(state, lock, event.at(), event.eventId());
        return new Recorded(recorded);
    }

    private static String lockFileEventKey(ObjectEvent event) {
        return HistoryEvent.eventKey(event.at(), Source.S3_LOCK_FILE, event.orderedSequencer(), "0");
    }

    /** The entry an object event makes, with its request's caller when CloudTrail's record of it came first. */
    private HistoryEvent event(StatePath state, Source source, ObjectEvent event, Facts facts) {
        return new HistoryEvent(state, event.at(), source, event.eventId(), event.orderedSequencer(), "0", facts,
                callers.ofObject(event.requestId()).orElse(null));
    }

    private static Alert.Identity identity(HistoryEvent event) {
        return new Alert.Identity(event.at(), event.source(), event.position(), event.sourceId());
    }

    private static Facts.ObjectFacts objectFacts(ObjectEvent event) {
        return new Facts.ObjectFacts(event.size(), event.etag(), event.versionId(), event.sequencer(),
                event.writer().requester(), event.writer().sourceIp(), event.reason(), event.requestId());
    }

    /** Who made a write or deletion: what its event names, and its caller when CloudTrail's record is known. */
    private static Writer writerOf(HistoryEvent change) {
        Facts.ObjectFacts object = change.facts() instanceof Facts.StateDeleted deleted ? deleted.object()
                : objectOf(change);
        return new Writer(object.writer(), object.sourceIp(), change.caller());
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.backend.LockFiles;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.backend.StateHeaders;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.rules.StateLineage;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * History from before the auditor watched, reconstructed from the object versions a versioned bucket keeps: a
 * {@code STATE_WRITTEN} per state version (its header read with a ranged GET of that version, never more), a
 * {@code STATE_DELETED} per delete marker, and from the {@code .tflock} versions each lock session (the version's
 * body is the lock info; the next version or delete marker of the lock file is its release). Every entry's source is
 * {@link Source#VERSIONS} and its id the version's, so a rerun, or an interrupted run resumed, writes nothing new;
 * versions the live history already holds (by version id, or from the first time it holds) are left to it.
 *
 * <p>Past anomalies (rollbacks, lineage swaps, same-serial conflicts, deletions and, for states locked by lock files,
 * writes no lock session covered) become findings: kept in history with their facts marked past, never published.
 *
 * <p>It walks the bucket's version listing in steps that stop when a budget is spent, anywhere in it: a step ends
 * one entry back, so that the next one reads the last entry again as the newer neighbour of those after it.
 */
public record Backfill(StateBucket bucket, HistoryStore history, AlertRaiser alerts, AuditSettings settings) {

    /** What a reconstructed write says of where it came from. */
    public static final String RECONSTRUCTED = "reconstructed from the bucket's versions";

    /**
     * A step's end: where the next one resumes (its markers null when the listing is done) with the counts so far, and
     * what this step found.
     */
    public record Step(Bookkeeping.Backfill next, boolean done, Bookkeeping.BackfillCounts counts,
                       List<HistoryEvent> findings) {
    }

    /** The versions the live history holds for one key, and from when it holds them all. */
    private record Live(Set<String> versionIds, Instant since) {
        boolean covers(StateBucket.Version version) {
            return version.versionId() != null && versionIds.contains(version.versionId())
                    || since != null && !version.lastModified().isBefore(since);
        }
    }

    /** The entry read before the one being read, of the same key: its newer neighbour. */
    private record Newer(StateBucket.Version version, boolean live, HistoryEvent entry, Facts.Header header,
                         Boolean etagIsMd5) {
    }

    /** Where in the listing a step is, and what it holds for the key it is in. */
    private final class Walk {
        final Instant since;
        final List<HistoryEvent> findings = new ArrayList<>();
        long versionsRead;
        long states;
        long stateWrites;
        long lockSessions;
        String key;
        StatePath state;
        boolean lockFile;
        Live live;
        boolean counted;
        Newer newer;
        Instant oldestLockVersion;

        Walk(Instant since) {
            this.since = since;
        }
    }

    /**
     * One step from {@code from} (a new backfill when its markers are null) until {@code spent} says the budget is
     * spent (checked between entries, once at least two were read) or the listing ends.
     */
    public Step step(Bookkeeping.Backfill from, BooleanSupplier spent) throws HistoryStore.WriteFailure {
        Walk walk = new Walk(from.since());
        boolean resumed = from.keyMarker() != null;
        String keyMarker = from.keyMarker();
        String versionIdMarker = from.versionIdMarker();
        String[] beforeLast = {keyMarker, versionIdMarker};
        String[] last = null;
        int read = 0;
        while (true) {
            StateBucket.VersionPage page = bucket.versions("", keyMarker, versionIdMarker);
            for (StateBucket.Version version : page.versions()) {
                if (read >= 2 && spent.getAsBoolean()) {
                    return new Step(new Bookkeeping.Backfill(beforeLast[0], beforeLast[1], from.since(),
                            from.startedAt(), null, from.counts().plus(counts(walk))), false, counts(walk),
                            walk.findings);
                }
                boolean boundary = resumed && read == 0;
                entry(walk, version, boundary);
                read++;
                if (last != null) {
                    beforeLast = last;
                }
                last = new String[] {version.key(), version.versionId() == null ? "null" : version.versionId()};
            }
            if (page.nextKeyMarker() == null) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            versionIdMarker = page.nextVersionIdMarker();
        }
        finishKey(walk);
        return new Step(new Bookkeeping.Backfill(null, null, from.since(), from.startedAt(), null,
                from.counts().plus(counts(walk))), true, counts(walk), walk.findings);
    }

    /**
     * How many versions a backfill since {@code since} reads (of states and lock files), from one listing of the
     * bucket's versions (a request per 1,000): what a progress line counts toward.
     */
    public long versionsToRead(Instant since) {
        long[] count = {0};
        bucket.eachVersion("", version -> {
            if (inWindow(version, since) && watchedState(version.key()) != null) {
                count[0]++;
            }
        });
        return count[0];
    }

    /** The state whose history a key's versions tell (its own, or its lock file's), or null for any other key. */
    private StatePath watchedState(String key) {
        return StateKeys.isLockFile(key)
                ? HeldLocks.lockFileState(bucket.name(), key, settings.workspaceKeyPrefix()).orElse(null)
                : settings.namedAsState(key) ? statePath(key) : null;
    }

    /**
     * Whether a version is reconstructed: one since {@code since}, with a version id (written after the bucket
     * started keeping versions).
     */
    private static boolean inWindow(StateBucket.Version version, Instant since) {
        return version.versionId() != null && version.lastModified() != null && !version.lastModified().isBefore(since);
    }

    private static Bookkeeping.BackfillCounts counts(Walk walk) {
        return new Bookkeeping.BackfillCounts(walk.versionsRead, walk.states, walk.stateWrites, walk.lockSessions,
                walk.findings.size());
    }

    /** One entry of the listing; {@code boundary}: the last one of the step before, read again as a neighbour. */
    private void entry(Walk walk, StateBucket.Version version, boolean boundary) throws HistoryStore.WriteFailure {
        if (!version.key().equals(walk.key)) {
            finishKey(walk);
            startKey(walk, version.key(), boundary);
        }
        if (walk.state == null || !inWindow(version, walk.since)) {
            // Not a state's or lock file's, from before the window, or written before the bucket kept versions.
            walk.newer = null;
            return;
        }
        if (!boundary) {
            walk.versionsRead++;
            if (!walk.counted) {
                walk.states++;
                walk.counted = true;
            }
        }
        if (walk.lockFile) {
            lockFileVersion(walk, version, boundary);
        } else {
            stateVersion(walk, version, boundary);
        }
    }

    private void startKey(Walk walk, String key, boolean boundary) {
        walk.key = key;
        walk.counted = true;
        walk.newer = null;
        walk.oldestLockVersion = null;
        walk.lockFile = StateKeys.isLockFile(key);
        walk.state = watchedState(key);
        if (walk.state == null) {
            return;
        }
        walk.live = live(walk.state, walk.lockFile ? Source.S3_LOCK_FILE : Source.STATE_OBJECT);
        // A state resumed at its boundary was counted by the step that began it.
        walk.counted = walk.lockFile || boundary;
    }

    private StatePath statePath(String key) {
        try {
            return StatePath.parse(StateKeys.lockPath(bucket.name(), key), settings.workspaceKeyPrefix());
        } catch (MalformedException e) {
            return null;
        }
    }

    /** What the live history holds of a state's writes or lock file: their version ids, and its first time. */
    private Live live(StatePath state, Source source) {
        Set<String> versionIds = new HashSet<>();
        Instant since = null;
        for (HistoryEvent entry : history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_WRITTEN,
                EventType.STATE_DELETED, EventType.LOCK_ACQUIRED, EventType.LOCK_RELEASED))) {
            if (entry.source() != source) {
                continue;
            }
            since = since == null || entry.at().isBefore(since) ? entry.at() : since;
            String versionId = entry.facts() instanceof Facts.StateWritten written ? written.object().versionId()
                    : entry.facts() instanceof Facts.StateDeleted deleted ? deleted.object().versionId()
                    : entry.facts() instanceof Facts.LockAcquired acquired ? acquired.versionId()
                    : entry.facts() instanceof Facts.LockReleased released ? released.versionId()
                    : null;
            if (versionId != null) {
                versionIds.add(versionId);
            }
        }
        return new Live(versionIds, since);
    }

    private HistoryEvent reconstructed(StatePath state, StateBucket.Version version, String part, Facts facts) {
        return new HistoryEvent(state, version.lastModified(), Source.VERSIONS, version.versionId(),
                version.versionId() == null ? "" : version.versionId(), part, facts);
    }

    private void write(HistoryEvent entry, boolean live, boolean boundary) throws HistoryStore.WriteFailure {
        if (!live && !boundary) {
            history.write(List.of(entry));
        }
    }

    /** A finding about an entry, kept in history and in the step's findings; never published. */
    private void finding(Walk walk, HistoryEvent about, dev.lockauditor.alert.Alert.Draft draft, boolean boundary)
            throws HistoryStore.WriteFailure {
        if (boundary) {
            return;
        }
        HistoryEvent finding = alerts.past(about, draft);
        history.write(List.of(finding));
        walk.findings.add(finding);
    }

    private void stateVersion(Walk walk, StateBucket.Version version, boolean boundary)
            throws HistoryStore.WriteFailure {
        boolean live = walk.live.covers(version);
        Alerts words = alerts.words();
        Alerts.Writer nobody = new Alerts.Writer(null, null);
        if (version.deleteMarker()) {
            HistoryEvent deleted = reconstructed(walk.state, version, "0", new Facts.StateDeleted(new Facts.ObjectFacts(null,
                    null, version.versionId(), null, null, null, RECONSTRUCTED), true));
            write(deleted, live, boundary);
            if (!live) {
                finding(walk, deleted, words.stateDeleted(walk.state, nobody, true, version.versionId(),
                        version.lastModified(), null), boundary);
            }
            walk.newer = new Newer(version, live, deleted, null, null);
            return;
        }
        Facts.ObjectFacts object = new Facts.ObjectFacts(version.size(), version.etag(), version.versionId(), null,
                null, null, RECONSTRUCTED);
        Facts.StateWritten facts = written(version, object);
        HistoryEvent written = reconstructed(walk.state, version, "0", facts);
        write(written, live, boundary);
        if (!live && !boundary) {
            walk.stateWrites++;
        }
        Newer newer = walk.newer;
        Facts.Header header = facts.header();
        if (newer != null && !newer.version().deleteMarker() && newer.header() != null && header != null) {
            Optional<AlertType> found = StateLineage.check(header.serial(), header.lineage(), newer.header().serial(),
                    newer.header().lineage(), () -> differ(version, facts.etagIsMd5(), newer));
            if (found.isPresent()) {
                finding(walk, newer.entry(), switch (found.get()) {
                    case SERIAL_CONFLICT -> words.serialConflict(walk.state, header.lineage(), header.serial(), nobody,
                            version.lastModified(), version.versionId(), nobody, newer.version().lastModified(),
                            newer.version().versionId(), null);
                    case SERIAL_REGRESSION -> words.serialRegression(walk.state, header.serial(),
                            newer.header().serial(), newer.header().lineage(), nobody, null, true);
                    default -> words.lineageChanged(walk.state, header.lineage(), header.serial(),
                            newer.header().lineage(), newer.header().serial(), nobody, null, true);
                }, false);
            }
        }
        walk.newer = new Newer(version, live, written, header, facts.etagIsMd5());
    }

    /** A version's write, from its header (a ranged GET of that version). */
    private Facts.StateWritten written(StateBucket.Version version, Facts.ObjectFacts object) {
        try {
            return StateHeaders.read(bucket, version.key(), version.versionId(), null, false)
                    .map(found -> found.written(object))
                    .orElse(new Facts.StateWritten(object, null, "the version could not be read"));
        } catch (StateBucket.Unreadable e) {
            return new Facts.StateWritten(object, null, "not readable by the auditor: " + e.getMessage());
        }
    }

    /** Whether two versions hold different content, as far as the listing tells: sizes, or ETags that are MD5s. */
    private static boolean differ(StateBucket.Version older, Boolean olderEtagIsMd5, Newer newer) {
        StateBucket.Version later = newer.version();
        if (older.size() != null && later.size() != null && !older.size().equals(later.size())) {
            return true;
        }
        return Boolean.TRUE.equals(olderEtagIsMd5) && Boolean.TRUE.equals(newer.etagIsMd5())
                && older.etag() != null && later.etag() != null && !older.etag().equalsIgnoreCase(later.etag());
    }

    private void lockFileVersion(Walk walk, StateBucket.Version version, boolean boundary)
            throws HistoryStore.WriteFailure {
        boolean live = walk.live.covers(version);
        Newer newer = walk.newer;
        walk.newer = new Newer(version, live, null, null, null);
        walk.oldestLockVersion = version.lastModified();
        if (version.deleteMarker()) {
            return;  // a release: of the version before it, written when that version is read
        }
        Optional<LockInfo> info;
        try {
            info = LockFiles.read(bucket, walk.state, version.key(), version.versionId());
        } catch (MalformedException | StateBucket.Unreadable e) {
            return;  // not Terraform's lock info: no session to tell
        }
        if (info.isEmpty()) {
            return;
        }
        Facts.Lock lock = Facts.Lock.of(info.get());
        write(reconstructed(walk.state, version, "0", new Facts.LockAcquired(lock, version.versionId())), live, boundary);
        if (!live && !boundary) {
            walk.lockSessions++;
        }
        if (newer != null && !newer.live()) {
            Instant released = newer.version().lastModified();
            Long heldFor = LockInfo.heldForSeconds(lock.created() != null ? lock.created() : version.lastModified(),
                    released);
            write(new HistoryEvent(walk.state, released, Source.VERSIONS, newer.version().versionId(),
                    newer.version().versionId() == null ? "" : newer.version().versionId(), "1",
                    new Facts.LockReleased(lock, heldFor, newer.version().versionId())), false, boundary);
        }
    }

    /**
     * At the end of a lock file's versions: each write of its state reconstructed since its oldest lock file version
     * that no lock session covers (by {@link LockCoverage}'s rule) is a finding.
     */
    private void finishKey(Walk walk) throws HistoryStore.WriteFailure {
        if (walk.state == null || !walk.lockFile || walk.oldestLockVersion == null) {
            return;
        }
        List<HistoryEvent> entries = history.read(HistoryQuery.of(walk.state.path()).kinds(EventType.STATE_WRITTEN,
                EventType.LOCK_ACQUIRED, EventType.LOCK_RELEASED).since(walk.oldestLockVersion));
        List<LockCoverage.Span> spans = LockCoverage.spans(entries);
        for (HistoryEvent entry : entries) {
            if (entry.source() == Source.VERSIONS && entry.facts() instanceof Facts.StateWritten written
                    && spans.stream().noneMatch(span -> span.covers(entry.at()))) {
                finding(walk, entry, alerts.words().unlockedWrite(walk.state, new Alerts.Writer(null, null),
                        written.header() == null ? null : written.header().serial(), entry.at()), false);
            }
        }
    }
}

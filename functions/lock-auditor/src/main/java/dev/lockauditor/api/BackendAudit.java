package dev.lockauditor.api;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.audit.BackendReview;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbLockTable;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.handler.Components;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.rules.LockFileVersions;
import dev.lockauditor.rules.StaleLocks;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import software.amazon.awssdk.services.s3.model.S3Exception;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One read-only look at a live backend, as {@code bin/lock-auditor audit} reports it: every lock held now (stale ones
 * with the command that releases them), lock files left behind, the noncurrent lock file versions a versioned bucket
 * keeps, and, with a lock table, every state's digest checked against its object, digests whose state is gone and
 * states with no digest where the table has digests for others. Each finding is worded as the alert the stack raises
 * for it, where there is one.
 */
public final class BackendAudit {

    /** Each AWS read with the permission it needs, so that a denied one is told by name. */
    public interface Reads {
        <T> T read(Supplier<T> read, String permission);
    }

    /** Work over many states, told as it goes: {@code done} of {@code total} for {@code what}. */
    public interface Progress {
        void update(String what, int done, int total);
    }

    /** A lock held now. */
    public record HeldLock(String statePath, String lockId, String who, String operation, long ageSeconds,
                           List<String> kinds, boolean stale, String environment) {
    }

    /** A state's digest and what its object's MD5 says of it ({@code objectMd5} null when not read). */
    public record Digest(String statePath, String digest, String objectMd5, String status, String environment) {
    }

    /** One thing found: what, on which state, and the detail a person acts on. */
    public record Finding(String problem, String statePath, String detail, String environment) {
    }

    /** What a versioned bucket keeps of one state's lock file. */
    public record LockFileKept(String statePath, int noncurrentVersions, int deleteMarkers, long bytes,
                               String environment) {
    }

    /**
     * What one backend holds now. {@code versionsNotListed} says why lock file versions could not be listed (null
     * when they were); {@code environments} are the settings' environment names, in order.
     */
    public record Report(List<HeldLock> locks, List<Digest> digests, List<Finding> findings,
                         List<LockFileKept> lockFileVersions, String versionsNotListed, List<String> environments) {
    }

    private final Config config;
    private final StaleLocks staleLocks;
    private final Environments environments;
    private final boolean hasLockTable;

    private BackendAudit(Config config, StaleLocks staleLocks, boolean hasLockTable) {
        this.config = config;
        this.staleLocks = staleLocks;
        this.environments = config.environmentsByKey();
        this.hasLockTable = hasLockTable;
    }

    /**
     * An audit of the backend the settings name.
     *
     * @throws IllegalArgumentException when the settings' stale-lock rules cannot be read
     */
    public static BackendAudit of(Config config, boolean hasLockTable) {
        try {
            Environments environments = config.environmentsByKey();
            return new BackendAudit(config, StaleLocks.of(config.timing().staleLockMinutes(),
                    config.timing().staleLockReminderMinutes(), config.timing().staleLockOverrides(), environments),
                    hasLockTable);
        } catch (MalformedException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Looks at the backend now, {@code parallel} objects read at a time. */
    public Report review(AwsClients aws, Reads reads, Progress progress, int parallel, Instant now) {
        String table = config.watched().lockTable();
        String bucketName = config.watched().stateBucket();
        String prefix = config.watched().workspaceKeyPrefix();
        S3StateBucket bucket = new S3StateBucket(aws.s3(), bucketName);
        LockTable lockTable = hasLockTable ? new DynamoDbLockTable(aws.dynamoDb(), table, prefix)
                : Components.NO_LOCK_TABLE;
        HeldLocks held = reads.read(() -> BackendReview.heldLocks(lockTable, bucket, prefix),
                (hasLockTable ? "dynamodb:Scan on " + table + " and " : "") + "s3:ListBucket on " + bucketName);
        List<String> keys = reads.read(() -> bucket.keysEndingWith(""), "s3:ListBucket on " + bucketName);
        LockFilesKept kept = lockFilesKept(bucket);
        Set<String> lockFileStates = new HashSet<>(kept.stateKeys());
        keys.stream().filter(StateKeys::isLockFile).map(StateKeys::stateKeyOfLockFile).forEach(lockFileStates::add);

        AuditSettings settings = AuditSettings.from(config);
        BackendReview review = new BackendReview(staleLocks, settings);
        Alerts words = new Alerts(hasLockTable ? table : "");
        List<Found> findings = new ArrayList<>();
        Set<String> stale = new LinkedHashSet<>();
        for (BackendReview.StaleLock found : review.staleLocks(held, now)) {
            stale.add(found.lock().info().id());
            findings.add(finding(found, words));
        }
        List<HeldLock> locks = new ArrayList<>();
        for (HeldLocks.Lock lock : held.locks().values()) {
            locks.add(new HeldLock(lock.state().path(), lock.info().id(), lock.info().who(), lock.info().operation(),
                    LockInfo.heldForSeconds(lock.created(), now),
                    lock.kinds().stream().map(Enum::name).toList(), stale.contains(lock.info().id()),
                    environments.of(lock.state())));
        }
        Duration grace = Duration.ofSeconds(config.timing().digestGraceSeconds());
        List<Digest> digests = new ArrayList<>();
        for (BackendReview.DigestState state : inParallel(new ArrayList<>(held.digests().entrySet()), parallel,
                "verifying digests", reads, progress, bucket, digest -> BackendReview.digest(bucket, digest.getKey(),
                        digest.getValue(), true, now, grace))) {
            digests.add(new Digest(state.state().path(), state.digest(), state.objectMd5(), status(state),
                    environments.of(state.state())));
            state.finding().ifPresent(found -> findings.add(finding(found, words)));
        }
        review.missingDigests(held, keys, bucket, lockFileStates).forEach(missing -> findings.add(finding(missing, words)));
        Set<String> stateKeys = new TreeSet<>(lockFileStates);
        held.digests().keySet().forEach(state -> stateKeys.add(state.key()));
        keys.stream().filter(settings::namedAsState).forEach(stateKeys::add);
        stateKeys.retainAll(keys.stream().filter(settings::mayBeState).toList());
        List<StatePath> states = stateKeys.stream().map(key -> statePath(StateKeys.lockPath(bucketName, key))).toList();
        for (Optional<BackendReview.UnreadableState> unreadable : inParallel(states, parallel, "reading states", reads,
                progress, bucket, state -> BackendReview.reading(bucket, state, table))) {
            unreadable.ifPresent(found -> findings.add(finding(found, words)));
        }
        List<LockFileKept> versions = kept.perState().stream().map(lockFile -> {
            StatePath state = statePath(StateKeys.lockPath(bucketName, lockFile.stateKey()));
            return new LockFileKept(state.path(), lockFile.noncurrentVersions(), lockFile.deleteMarkers(),
                    lockFile.bytes(), environments.of(state));
        }).toList();
        return new Report(locks, digests, findings.stream().map(found -> new Finding(found.problem(),
                found.statePath(), found.detail(), environments.of(statePath(found.statePath())))).toList(),
                versions, kept.notListed(), environments.names());
    }

    private static String status(BackendReview.DigestState state) {
        return switch (state.status()) {
            case ORPHANED -> "ORPHANED_DIGEST";
            case MISMATCH -> "DIGEST_MISMATCH";
            case UNREADABLE -> "UNREADABLE (" + state.unreadable() + ")";
            default -> state.status().name();
        };
    }

    /**
     * What the bucket keeps of the lock files: their versions, when it is versioned (a bucket that never was lists
     * none), or why they could not be listed.
     */
    private record LockFilesKept(List<LockFileVersions.Kept> perState, Set<String> stateKeys, String notListed) {
    }

    private static LockFilesKept lockFilesKept(S3StateBucket bucket) {
        List<StateBucket.Version> lockFiles = new ArrayList<>();
        try {
            bucket.eachVersion("", version -> {
                if (StateKeys.isLockFile(version.key())) {
                    lockFiles.add(version);
                }
            });
        } catch (S3Exception e) {
            if (e.statusCode() != 403) {
                throw e;
            }
            return new LockFilesKept(List.of(), Set.of(), "s3:ListBucketVersions on " + bucket.name() + " is denied");
        }
        Set<String> states = new HashSet<>();
        lockFiles.forEach(version -> states.add(StateKeys.stateKeyOfLockFile(version.key())));
        return new LockFilesKept(LockFileVersions.of(lockFiles), states, null);
    }

    private StatePath statePath(String lockPath) {
        try {
            return StatePath.parse(lockPath, config.watched().workspaceKeyPrefix());
        } catch (MalformedException e) {
            throw new IllegalStateException("a finding on a state that has no lock path: " + lockPath);
        }
    }

    /** One piece of work per item, {@code parallel} at a time; results in the items' order. */
    private static <T, R> List<R> inParallel(List<T> items, int parallel, String what, Reads reads, Progress progress,
                                             StateBucket bucket, Function<T, R> work) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> {
                    R result = work.apply(item);
                    progress.update(what, done.incrementAndGet(), items.size());
                    return result;
                }));
            }
            List<R> results = new ArrayList<>();
            for (Future<R> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return reads.read(() -> {
                throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
            }, "s3:GetObject on " + bucket.name() + "/*");
        } finally {
            pool.shutdownNow();
        }
    }

    /** What was found, without its environment yet. */
    private record Found(String problem, String statePath, String detail) {
    }

    /**
     * A finding as the report names it, with the detail a person acts on: a stale lock's and an orphaned digest's in
     * the words (and commands) of the alert the stack raises for it.
     */
    private static Found finding(BackendReview.Finding found, Alerts words) {
        String path = found.state().path();
        if (found instanceof BackendReview.StaleLock stale) {
            Alert.Draft alert = words.staleLock(stale.state(), stale.lock().info(), stale.heldForSeconds(),
                    stale.threshold(), false);
            return new Found(stale.lockFileOnly() ? "LOCK_FILE_LEFT_BEHIND" : "STALE_LOCK", path,
                    alert.summary() + ". " + alert.remediation());
        } else if (found instanceof BackendReview.OrphanedDigest orphaned) {
            Alert.Draft alert = words.orphanedDigest(orphaned.state(), orphaned.digest());
            return new Found("ORPHANED_DIGEST", path, alert.summary() + ". " + alert.remediation());
        } else if (found instanceof BackendReview.UnreadableState unreadable) {
            return new Found("STATE_UNREADABLE", path, "not a state Terraform or OpenTofu would load: "
                    + unreadable.reason() + " (" + unreadable.found() + "). "
                    + Alerts.bringBackReadable(unreadable.restore(), unreadable.versioned()));
        } else if (found instanceof BackendReview.DigestMismatch mismatch) {
            return new Found("DIGEST_MISMATCH", path, "the table expects " + mismatch.expected()
                    + ", the object's MD5 is " + mismatch.actual() + ". If the object is the state you want, "
                    + words.digestUpdate(mismatch.state(), mismatch.actual()) + "; if it is not, restore the version "
                    + "whose MD5 is " + mismatch.expected());
        }
        return new Found("MISSING_DIGEST", path, "the lock table has digests for other states but none for this one; "
                + "expected if this state is locked by lock files alone (use_lockfile without dynamodb_table)");
    }
}

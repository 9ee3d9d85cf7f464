package dev.lockauditor.audit;

import dev.lockauditor.backend.Restores;
import dev.lockauditor.backend.StateHeaders;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.DigestCheck;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.rules.StaleLocks;
import dev.lockauditor.alert.Restore;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.history.Source;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.lockauditor.backend.LockFiles;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.terraform.LockInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What is wrong with a backend as it is now, from one reading of it ({@link HeldLocks}): the rules the scheduled
 * sweep and {@code bin/lock-auditor audit} share. Stale locks (a lock file alone left behind is one too), digests
 * whose state is gone, digests that do not match their state, states with no digest where the table keeps digests.
 */
public record BackendReview(StaleLocks staleLocks, AuditSettings settings) {

    /** Something wrong with one state. */
    public sealed interface Finding {
        StatePath state();
    }

    /** A lock held past its threshold. */
    public record StaleLock(HeldLocks.Lock lock, long heldForSeconds, Duration threshold) implements Finding {
        @Override
        public StatePath state() {
            return lock.state();
        }

        /** Held only as a {@code .tflock} file: a lock file left behind. */
        public boolean lockFileOnly() {
            return lock.kinds().equals(Set.of(Source.S3_LOCK_FILE));
        }
    }

    /** A digest item whose state object is gone. */
    public record OrphanedDigest(StatePath state, String digest) implements Finding {
    }

    /** A digest item that is not its state object's MD5, and had its grace to become it. */
    public record DigestMismatch(StatePath state, String expected, String actual) implements Finding {
    }

    /** A state with no digest item, where the lock table keeps digests for other states. */
    public record MissingDigest(StatePath state) implements Finding {
    }

    /**
     * A state's key holding what Terraform would refuse to load.
     *
     * @param restore   the last version that reads as a state, when the bucket keeps one
     * @param versioned whether the bucket keeps versions of it
     */
    public record UnreadableState(StatePath state, String reason, String found, Restore restore, boolean versioned)
            implements Finding {
    }

    /** What a digest item's state object says of it. */
    public enum DigestStatus {
        OK,
        /** The object is gone. */
        ORPHANED,
        /** The object's MD5 is another. */
        MISMATCH,
        /** They differ, but the object was written within the digest grace: Terraform may be writing the pair. */
        CHANGING,
        /** Not compared: only the object's presence was looked at. */
        PRESENT,
        /** The object cannot be read (SSE-C, or no access). */
        UNREADABLE
    }

    /**
     * @param objectMd5  the object's MD5, when it was compared
     * @param unreadable why the object cannot be read, when it cannot
     */
    public record DigestState(StatePath state, String digest, DigestStatus status, String objectMd5,
                              String unreadable) {

        /** What is wrong, if anything. */
        public Optional<Finding> finding() {
            return switch (status) {
                case ORPHANED -> Optional.of(new OrphanedDigest(state, digest));
                case MISMATCH -> Optional.of(new DigestMismatch(state, digest, objectMd5));
                default -> Optional.empty();
            };
        }
    }

    /** Every lock held past its threshold. */
    public List<StaleLock> staleLocks(HeldLocks held, Instant now) {
        List<StaleLock> stale = new ArrayList<>();
        for (HeldLocks.Lock lock : held.locks().values()) {
            if (staleLocks.isStale(lock.state(), lock.created(), now)) {
                stale.add(new StaleLock(lock, LockInfo.heldForSeconds(lock.created(), now),
                        staleLocks.thresholdFor(lock.state())));
            }
        }
        return stale;
    }

    /**
     * A digest item against its state object.
     *
     * @param compare whether to compare the digest with the object's MD5 (reading the object through when its ETag
     *                is not its MD5), or only look that the object is there
     * @param grace   how long after the object's write a difference may still be Terraform writing the pair
     */
    public static DigestState digest(StateBucket bucket, StatePath state, String digest, boolean compare, Instant now,
                                     Duration grace) {
        try {
            Optional<ObjectHead> head = bucket.head(state.key());
            if (head.isEmpty()) {
                return new DigestState(state, digest, DigestStatus.ORPHANED, null, null);
            }
            if (!compare) {
                return new DigestState(state, digest, DigestStatus.PRESENT, null, null);
            }
            if (head.get().encryption() == ObjectHead.Encryption.SSE_C) {
                return new DigestState(state, digest, DigestStatus.UNREADABLE, null, "SSE-C");
            }
            String md5 = DigestVerifier.md5(bucket, head.get()).orElse(null);
            if (md5 == null) {
                return new DigestState(state, digest, DigestStatus.ORPHANED, null, null);
            }
            DigestStatus status = switch (DigestCheck.evaluate(digest, md5, head.get().lastModified(), now, grace)) {
                case MATCH, NO_DIGEST -> DigestStatus.OK;
                case WAIT -> DigestStatus.CHANGING;
                case MISMATCH -> DigestStatus.MISMATCH;
            };
            return new DigestState(state, digest, status, md5, null);
        } catch (StateBucket.Unreadable e) {
            return new DigestState(state, digest, DigestStatus.UNREADABLE, null, e.getMessage());
        }
    }

    /**
     * States with no digest item, where the table keeps digests for others (a backend on the lock table writes one
     * for every state; a state on lock files alone has none, and is not judged).
     *
     * @param keys           the bucket's object keys
     * @param lockFileStates the keys of the states known to be locked by lock files (a lock file, or a version of one)
     */
    public List<MissingDigest> missingDigests(HeldLocks held, List<String> keys, StateBucket bucket,
                                              Set<String> lockFileStates) {
        List<MissingDigest> missing = new ArrayList<>();
        if (held.digests().isEmpty()) {
            return missing;
        }
        Set<String> withDigest = new HashSet<>();
        held.digests().keySet().forEach(state -> withDigest.add(state.key()));
        for (String key : keys) {
            if (settings.mayBeState(key) && !withDigest.contains(key) && !lockFileStates.contains(key)
                    && isState(bucket, key)) {
                try {
                    missing.add(new MissingDigest(StatePath.parse(StateKeys.lockPath(bucket.name(), key),
                            settings.workspaceKeyPrefix())));
                } catch (MalformedException e) {
                    // not a state this auditor can name
                }
            }
        }
        return missing;
    }

    /**
     * A state's current object, read as the state events read a write: a finding when it is not a state Terraform or
     * OpenTofu would load (an object S3 will not let the auditor read is not judged).
     *
     * @param lockTable the lock table whose digest item a restore sets, or empty
     */
    public static Optional<UnreadableState> reading(StateBucket bucket, StatePath state, String lockTable) {
        Optional<StateHeaders.Read> read = StateHeaders.read(bucket, state.key(), null, null, false);
        if (read.isEmpty() || read.get().notAState() == null) {
            return Optional.empty();
        }
        Restores.LastReadable last = Restores.before(bucket, state, null, lockTable);
        return Optional.of(new UnreadableState(state, read.get().notAState(), read.get().found(),
                last.restore().orElse(null), last.versioned()));
    }

    /** What the backend holds now: the lock table's items, and every lock file in the bucket read. */
    public static HeldLocks heldLocks(LockTable table, StateBucket bucket, String workspaceKeyPrefix) {
        Map<StatePath, LockInfo> lockFiles = new LinkedHashMap<>();
        for (String key : bucket.keysEndingWith(StateKeys.LOCK_FILE_SUFFIX)) {
            HeldLocks.lockFileState(bucket.name(), key, workspaceKeyPrefix)
                    .ifPresent(state -> LockFiles.held(bucket, state, key).ifPresent(info -> lockFiles.put(state, info)));
        }
        return HeldLocks.of(table.scan(), lockFiles);
    }

    private static boolean isState(StateBucket bucket, String key) {
        return StateHeaders.read(bucket, key, null, null, false).map(StateHeaders.Read::isState).orElse(false);
    }
}

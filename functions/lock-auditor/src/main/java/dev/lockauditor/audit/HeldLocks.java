package dev.lockauditor.audit;

import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a backend holds now: every lock, once per lock id whichever kinds Terraform took it as (a lock table
 * item, a {@code .tflock} file, or both), and every digest item. Read by the sweep and by {@code audit}.
 *
 * @param locks   by lock id
 * @param digests by state
 */
public record HeldLocks(Map<String, Lock> locks, Map<StatePath, String> digests) {

    /**
     * A lock held now, when it was created (its {@code Created}), and the kinds it is held as: {@code dynamodb},
     * {@code s3}.
     */
    public record Lock(StatePath state, LockInfo info, Instant created, Set<String> kinds) {
    }

    /** The backend read whole: the lock table scanned, the bucket listed for every lock file. */
    public static HeldLocks read(LockTable table, StateBucket bucket, String workspaceKeyPrefix) {
        Map<StatePath, LockInfo> lockFiles = new LinkedHashMap<>();
        for (String key : bucket.keysEndingWith(StateKeys.LOCK_FILE_SUFFIX)) {
            lockFileState(bucket.name(), key, workspaceKeyPrefix)
                    .ifPresent(state -> LockFiles.held(bucket, state, key).ifPresent(info -> lockFiles.put(state, info)));
        }
        return of(table.scan(), lockFiles);
    }

    /** The locks and digests of the lock table's items, and the lock files found held. */
    public static HeldLocks of(List<LockTableItem> items, Map<StatePath, LockInfo> lockFiles) {
        Map<String, Lock> locks = new LinkedHashMap<>();
        Map<StatePath, String> digests = new LinkedHashMap<>();
        for (LockTableItem item : items) {
            if (item instanceof LockTableItem.Lock lock) {
                add(locks, lock.state(), lock.info(), "dynamodb");
            } else if (item instanceof LockTableItem.Digest digest) {
                digests.put(digest.state(), digest.md5());
            }
        }
        lockFiles.forEach((state, info) -> add(locks, state, info, "s3"));
        return new HeldLocks(locks, digests);
    }

    /** The state a {@code .tflock} key locks, if it is one this auditor can name. */
    public static java.util.Optional<StatePath> lockFileState(String bucket, String key, String workspaceKeyPrefix) {
        if (!StateKeys.isLockFile(key)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(StatePath.parse(StateKeys.lockPath(bucket, StateKeys.stateKeyOfLockFile(key)),
                    workspaceKeyPrefix));
        } catch (MalformedException e) {
            return java.util.Optional.empty();
        }
    }

    private static void add(Map<String, Lock> locks, StatePath state, LockInfo info, String kind) {
        Instant created;
        try {
            created = info.createdInstant();
        } catch (MalformedException e) {
            return;  // Lock info is only ever made from a valid Created: unreachable, but never a lock without a start.
        }
        locks.computeIfAbsent(info.id(), id -> new Lock(state, info, created, new LinkedHashSet<>())).kinds().add(kind);
    }
}

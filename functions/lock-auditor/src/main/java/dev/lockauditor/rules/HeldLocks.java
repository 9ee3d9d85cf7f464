package dev.lockauditor.rules;

import dev.lockauditor.history.Source;
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
 * item, a {@code .tflock} file, or both), and every digest item, from what was read of it: the rule that a lock is
 * one lock id whichever kinds it is held as. Read by the sweep and by {@code audit}.
 *
 * @param locks   by lock id
 * @param digests by state
 */
public record HeldLocks(Map<String, Lock> locks, Map<StatePath, String> digests) {

    /**
     * A lock held now, when it was created (its {@code Created}), and the kinds it is held as: a lock table item
     * ({@code DYNAMODB}), a lock file ({@code S3_LOCK_FILE}).
     */
    public record Lock(StatePath state, LockInfo info, Instant created, Set<Source> kinds) {
    }

    /** The locks and digests of the lock table's items, and the lock files found held. */
    public static HeldLocks of(List<LockTableItem> items, Map<StatePath, LockInfo> lockFiles) {
        Map<String, Lock> locks = new LinkedHashMap<>();
        Map<StatePath, String> digests = new LinkedHashMap<>();
        for (LockTableItem item : items) {
            if (item instanceof LockTableItem.Lock lock) {
                add(locks, lock.state(), lock.info(), Source.DYNAMODB);
            } else if (item instanceof LockTableItem.Digest digest) {
                digests.put(digest.state(), digest.md5());
            }
        }
        lockFiles.forEach((state, info) -> add(locks, state, info, Source.S3_LOCK_FILE));
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

    private static void add(Map<String, Lock> locks, StatePath state, LockInfo info, Source kind) {
        Instant created;
        try {
            created = info.createdInstant();
        } catch (MalformedException e) {
            return;  // Lock info is only ever made from a valid Created: unreachable, but never a lock without a start.
        }
        locks.computeIfAbsent(info.id(), id -> new Lock(state, info, created, new LinkedHashSet<>())).kinds().add(kind);
    }
}

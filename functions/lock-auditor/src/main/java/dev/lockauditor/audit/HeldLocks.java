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

    public static HeldLocks read(LockTable table, StateBucket bucket, String workspaceKeyPrefix) {
        Map<String, Lock> locks = new LinkedHashMap<>();
        Map<StatePath, String> digests = new LinkedHashMap<>();
        for (LockTableItem item : table.scan()) {
            if (item instanceof LockTableItem.Lock lock) {
                add(locks, lock.state(), lock.info(), "dynamodb");
            } else if (item instanceof LockTableItem.Digest digest) {
                digests.put(digest.state(), digest.md5());
            }
        }
        for (String key : bucket.keysEndingWith(StateKeys.LOCK_FILE_SUFFIX)) {
            try {
                StatePath state = StatePath.parse(StateKeys.lockPath(bucket.name(), StateKeys.stateKeyOfLockFile(key)),
                        workspaceKeyPrefix);
                LockFiles.held(bucket, state, key).ifPresent(info -> add(locks, state, info, "s3"));
            } catch (MalformedException e) {
                // Not a lock file of a state this auditor can name.
            }
        }
        return new HeldLocks(locks, digests);
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

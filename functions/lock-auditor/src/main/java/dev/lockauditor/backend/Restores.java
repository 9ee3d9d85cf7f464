package dev.lockauditor.backend;

import dev.lockauditor.alert.Restore;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.terraform.StatePath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The version of a state to bring back, from what a versioned bucket keeps: the newest version before a given one
 * whose bytes read as a state. Only its header is read (and, for a lock table's digest item, its MD5).
 */
public final class Restores {

    /** How many older versions are read, newest first, looking for one that is a state. */
    static final int VERSIONS_TRIED = 10;

    /**
     * What the bucket keeps of a state before one of its versions.
     *
     * @param versioned whether the bucket keeps versions of it at all
     * @param restore   the newest earlier version that reads as a state, when there is one
     */
    public record LastReadable(boolean versioned, Optional<Restore> restore) {
    }

    private Restores() {
    }

    /**
     * The same restore, for an alert that can go without one: empty where S3 will not let the auditor read a version
     * (the alert then says how to find it).
     */
    public static Optional<Restore> ifReadable(StateBucket bucket, StatePath state, String before, String lockTable) {
        try {
            return before(bucket, state, before, lockTable).restore();
        } catch (StateBucket.Unreadable e) {
            return Optional.empty();
        }
    }

    /**
     * @param before    the version it must be older than (the write being judged), or null for the current one
     * @param lockTable the lock table whose digest item the restore sets, or empty without one
     */
    public static LastReadable before(StateBucket bucket, StatePath state, String before, String lockTable) {
        List<StateBucket.Version> versions = bucket.versionsOf(state.key());
        boolean versioned = versions.stream().anyMatch(version -> version.versionId() != null);
        if (!versioned) {
            return new LastReadable(false, Optional.empty());
        }
        int end = versions.size() - 1;
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i).versionId() != null && versions.get(i).versionId().equals(before)) {
                end = i;
            }
        }
        List<StateBucket.Version> older = new ArrayList<>(versions.subList(0, end));
        Collections.reverse(older);
        int tried = 0;
        for (StateBucket.Version version : older) {
            if (version.deleteMarker() || version.versionId() == null || tried++ >= VERSIONS_TRIED) {
                continue;
            }
            Optional<StateHeaders.Read> read = StateHeaders.read(bucket, state.key(), version.versionId(), null, false);
            if (read.isPresent() && read.get().fields() != null) {
                String md5 = lockTable == null || lockTable.isEmpty() ? null
                        : bucket.md5(state.key(), version.versionId()).orElse(null);
                return new LastReadable(true, Optional.of(new Restore(state, version.versionId(),
                        read.get().fields().serial(), read.get().fields().lineage(), version.lastModified(), md5,
                        lockTable)));
            }
        }
        return new LastReadable(true, Optional.empty());
    }
}

package dev.lockauditor.api;

import dev.lockauditor.alert.Restore;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.backend.StateHeaders;
import dev.lockauditor.history.Facts;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How to bring a state back from what a versioned bucket keeps, as {@code bin/lock-auditor restore-plan} prints it:
 * which version, what it holds, and the exact commands, for a person to run. Read-only: it lists the state's versions
 * and reads the header of those it shows (a ranged GET each; never more than the header), and the MD5 of the one it
 * chooses when a lock table keeps the state's digest.
 *
 * @param lockTable the lock table whose digest item the plan sets, or empty for a backend on lock files alone
 */
public record RestorePlans(AwsClients aws, String lockTable) {

    /** How many of a state's newest versions a plan shows, and reads the headers of. */
    public static final int VERSIONS_SHOWN = 20;
    /** How many versions a plan reads the headers of at most, newest first. */
    public static final int VERSIONS_SEARCHED = 200;

    /**
     * One version of the state: a write (its serial and lineage when it reads as a state; {@code notAState} says
     * why not) or a delete marker.
     */
    public record Version(String versionId, Instant lastModified, boolean deleteMarker, Long size, boolean current,
                          Facts.Header header, String notAState) {
    }

    /**
     * A plan: the version to bring back and the commands, in order ({@code restore} null and {@code commands} empty
     * when there is nothing to bring back, {@code why} says why), and the newest versions, newest first.
     *
     * @param removesMarker the delete marker the commands remove, when the state is deleted; else null
     */
    public record Plan(StatePath state, boolean versioned, Restore restore, String removesMarker,
                       List<String> commands, String why, List<Version> versions) {
    }

    /**
     * The plan for a state: the version with {@code versionId}, else the newest version of {@code serial}, else the
     * state as it was before its current version: of the lineage the current version replaced (the newest earlier
     * version that reads as a state, or the version under a delete marker), the newest version of its highest serial.
     */
    public Plan plan(StatePath state, Long serial, String versionId) {
        StateBucket bucket = new S3StateBucket(aws.s3(), state.bucket());
        List<StateBucket.Version> all = new ArrayList<>(bucket.versionsOf(state.key()));
        java.util.Collections.reverse(all);  // newest first
        boolean versioned = all.stream().anyMatch(version -> version.versionId() != null);
        // Each version's header is read once, whether it is shown, searched or chosen.
        Map<StateBucket.Version, Version> headers = new HashMap<>();
        Function<StateBucket.Version, Version> read = listed -> headers.computeIfAbsent(listed,
                version -> read(bucket, state, version));
        List<Version> shown = all.subList(0, Math.min(VERSIONS_SHOWN, all.size())).stream().map(read).toList();
        if (!versioned) {
            return nothing(state, false, all.isEmpty()
                    ? "there is no object at " + state.key() + " and the bucket keeps no versions of it"
                    : "the bucket keeps no versions of " + state.key() + ": it cannot be brought back from S3; "
                            + "restore it from a backup (terraform state push of a copy you trust) and turn versioning on",
                    shown);
        }
        boolean deleted = !all.isEmpty() && all.get(0).deleteMarker();
        Optional<Version> chosen;
        String notFound;
        if (versionId != null) {
            chosen = all.stream().filter(version -> versionId.equals(version.versionId())).findFirst()
                    .map(read);
            notFound = "no version " + versionId + " of " + state.key();
        } else if (serial != null) {
            chosen = all.stream().limit(VERSIONS_SEARCHED).filter(version -> !version.deleteMarker())
                    .map(read)
                    .filter(version -> version.header() != null && version.header().serial() == serial).findFirst();
            notFound = "no version of serial " + serial + " among the newest " + VERSIONS_SEARCHED + " of "
                    + state.key();
        } else {
            // Before the current version: the newest version of the highest serial of the lineage it replaced.
            List<Version> earlier = all.stream().skip(deleted ? 0 : 1).filter(version -> !version.deleteMarker())
                    .limit(VERSIONS_SEARCHED).map(read)
                    .filter(version -> version.header() != null).toList();
            chosen = earlier.stream().findFirst().flatMap(replaced -> earlier.stream()
                    .filter(version -> version.header().lineage().equals(replaced.header().lineage()))
                    .max(java.util.Comparator.comparingLong((Version version) -> version.header().serial())
                            .thenComparing(Version::lastModified)));
            notFound = "no earlier version of " + state.key() + " reads as a state";
        }
        if (chosen.isEmpty()) {
            return nothing(state, true, notFound, shown);
        }
        Version version = chosen.get();
        if (version.deleteMarker() || version.header() == null) {
            return nothing(state, true, "version " + version.versionId() + " is "
                    + (version.deleteMarker() ? "a delete marker" : "not a state (" + version.notAState() + ")"), shown);
        }
        if (version.current()) {
            return nothing(state, true, "version " + version.versionId() + " is the current one already", shown);
        }
        String md5 = lockTable.isEmpty() ? null : bucket.md5(state.key(), version.versionId()).orElse(null);
        Restore restore = new Restore(state, version.versionId(), version.header().serial(), version.header().lineage(),
                version.lastModified(), md5, lockTable);
        // A deleted state whose newest version is the one under its marker comes back by removing the marker.
        boolean underMarker = deleted && all.size() > 1 && version.versionId().equals(all.get(1).versionId());
        List<String> commands = new ArrayList<>();
        if (underMarker) {
            commands.add(Restore.removeMarkerCommand(state, all.get(0).versionId()));
            restore.digestCommand().ifPresent(commands::add);
        } else {
            commands.addAll(restore.commands());
        }
        return new Plan(state, true, restore, underMarker ? all.get(0).versionId() : null, commands,
                !lockTable.isEmpty() && md5 == null ? "the version's MD5 could not be read: set the digest by hand" : null,
                shown);
    }

    private static Plan nothing(StatePath state, boolean versioned, String why, List<Version> shown) {
        return new Plan(state, versioned, null, null, List.of(), why, shown);
    }

    private static Version read(StateBucket bucket, StatePath state, StateBucket.Version version) {
        if (version.deleteMarker()) {
            return new Version(version.versionId(), version.lastModified(), true, null, version.latest(), null, null);
        }
        Optional<StateHeaders.Read> read;
        try {
            read = StateHeaders.read(bucket, state.key(), version.versionId(), null, false);
        } catch (StateBucket.Unreadable e) {
            return new Version(version.versionId(), version.lastModified(), false, version.size(), version.latest(),
                    null, "not readable by the auditor: " + e.getMessage());
        }
        Facts.Header header = read.map(StateHeaders.Read::fields).orElse(null);
        String why = read.isEmpty() ? "gone" : header == null ? read.get().whyNoHeader() : null;
        return new Version(version.versionId(), version.lastModified(), false, version.size(), version.latest(),
                header, why);
    }
}

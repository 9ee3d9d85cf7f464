package dev.lockauditor.rules;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.terraform.StateKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a versioned bucket keeps of each state's lock file: every lock taken leaves a noncurrent version of the
 * {@code .tflock} object behind, and every release a delete marker (terraform issue 36445). They pile up for as long
 * as no lifecycle rule expires them.
 */
public final class LockFileVersions {

    /**
     * One state's lock file, as the bucket keeps it.
     *
     * @param noncurrentVersions versions that are no longer the lock file (locks taken and released)
     * @param deleteMarkers      the releases' delete markers
     * @param bytes              what the noncurrent versions hold
     */
    public record Kept(String stateKey, int noncurrentVersions, int deleteMarkers, long bytes) {
    }

    private LockFileVersions() {
    }

    /** Per state, in key order, those whose lock file has a noncurrent version or a delete marker. */
    public static List<Kept> of(List<StateBucket.Version> versions) {
        Map<String, long[]> byState = new TreeMap<>();
        for (StateBucket.Version version : versions) {
            if (!StateKeys.isLockFile(version.key()) || (version.latest() && !version.deleteMarker())) {
                continue;
            }
            long[] counts = byState.computeIfAbsent(StateKeys.stateKeyOfLockFile(version.key()), key -> new long[3]);
            if (version.deleteMarker()) {
                counts[1]++;
            } else {
                counts[0]++;
                counts[2] += version.size() == null ? 0 : version.size();
            }
        }
        List<Kept> kept = new ArrayList<>();
        byState.forEach((key, counts) -> kept.add(new Kept(key, (int) counts[0], (int) counts[1], counts[2])));
        return kept;
    }
}

package dev.lockauditor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockauditor.backend.StateBucket;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key's versions and delete markers come from the SDK as two lists; S3's times are whole seconds, so a lock file
 * created and deleted within one second has a version and a marker of the same time. Merged back, they alternate as
 * Terraform's creations and deletions do, so that each lock ends at its own delete marker and not at the next lock.
 */
class VersionOrderTest {

    static StateBucket.Version write(String id, int second, boolean latest) {
        return new StateBucket.Version("app.tfstate.tflock", id, Instant.ofEpochSecond(second), false, 180L, "e", latest);
    }

    static StateBucket.Version marker(String id, int second, boolean latest) {
        return new StateBucket.Version("app.tfstate.tflock", id, Instant.ofEpochSecond(second), true, null, null, latest);
    }

    static List<String> ids(List<StateBucket.Version> versions) {
        return versions.stream().map(StateBucket.Version::versionId).toList();
    }

    @Test
    void locksTakenAndReleasedWithinASecondEachEndAtTheirOwnMarker() {
        assertEquals(List.of("m2", "l2", "m1", "l1"), ids(S3StateBucket.newestFirst(
                List.of(write("l2", 8, false), write("l1", 0, false)),
                List.of(marker("m2", 8, true), marker("m1", 0, false)))));
    }

    @Test
    void aLockTakenInTheSecondTheLastOneWasReleasedIsNewerThanThatRelease() {
        assertEquals(List.of("l2", "m1", "l1"), ids(S3StateBucket.newestFirst(
                List.of(write("l2", 5, true), write("l1", 5, false)),
                List.of(marker("m1", 5, false)))));
    }

    @Test
    void timesThatDifferDecide() {
        assertEquals(List.of("v3", "m1", "v2", "v1"), ids(S3StateBucket.newestFirst(
                List.of(write("v3", 30, true), write("v2", 10, false), write("v1", 5, false)),
                List.of(marker("m1", 20, false)))));
    }
}

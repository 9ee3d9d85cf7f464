package dev.lockauditor.audit;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reading a {@code .tflock} lock file: its body is the lock info, for the state it sits beside. */
public final class LockFiles {

    /** Lock info is a few hundred bytes; more than this is not a lock file. */
    static final int MAX_BYTES = 64 * 1024;

    private LockFiles() {
    }

    /**
     * The lock a lock file holds (a version of it when {@code versionId} is set), if it exists and is a lock
     * on {@code state}.
     *
     * @throws MalformedException when the body is not lock info, or locks another state
     */
    public static Optional<LockInfo> read(StateBucket bucket, StatePath state, String key, String versionId)
            throws MalformedException {
        Optional<byte[]> body = bucket.prefix(key, versionId, MAX_BYTES);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        LockInfo info = LockInfo.parse(new String(body.get(), StandardCharsets.UTF_8));
        if (!info.path().equals(state.path())) {
            throw new MalformedException("lock info Path does not match the lock file's state");
        }
        return Optional.of(info);
    }

    /** The same, for a lock that only counts if it can be read: anything unreadable is no lock. */
    public static Optional<LockInfo> held(StateBucket bucket, StatePath state, String key) {
        try {
            return read(bucket, state, key, null);
        } catch (MalformedException | StateBucket.Unreadable e) {
            return Optional.empty();
        }
    }
}

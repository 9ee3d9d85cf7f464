package dev.lockauditor.backend;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.Facts;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/** Reading a {@code .tflock} lock file: its body is the lock info, for the state it sits beside. */
public final class LockFiles {

    /** Lock info is a few hundred bytes; more than this is not a lock file. */
    static final int MAX_BYTES = 64 * 1024;
    /** How the id of a lock whose lock info could not be read starts: {@code unread-} and its creation's sequencer. */
    public static final String UNREAD = "unread-";

    private LockFiles() {
    }

    /** What the object a lock file's creation made holds. */
    public sealed interface Found {
    }

    /** A lock: its lock info. */
    public record Held(LockInfo info) implements Found {
    }

    /**
     * A lock whose lock info could not be read: gone or overwritten before it was read (a bucket without versioning
     * keeps only the current object), or not readable by the auditor. A lock all the same, held by someone unknown.
     */
    public record Unread(String why) implements Found {
    }

    /** Not lock info, or a lock on another state: not a lock at all. */
    public record Foreign(String reason) implements Found {
    }

    /**
     * The object a lock file's creation event made: its version when the event names one, else the current object
     * while it is still the one the event wrote (its ETag).
     */
    public static Found ofWrite(StateBucket bucket, StatePath state, String key, String versionId, String etag) {
        Optional<byte[]> body;
        try {
            body = bucket.prefixOfWrite(key, versionId, etag, MAX_BYTES);
        } catch (StateBucket.Unreadable e) {
            return new Unread(e.getMessage());
        }
        if (body.isEmpty()) {
            return new Unread("gone before it could be read (the bucket is not versioned)");
        }
        try {
            return new Held(parse(body.get(), state));
        } catch (MalformedException e) {
            return new Foreign(e.getMessage());
        }
    }

    /**
     * The lock a lock file holds now (a version of it when {@code versionId} is set), if it exists and is a lock
     * on {@code state}.
     *
     * @throws MalformedException when the body is not lock info, or locks another state
     */
    public static Optional<LockInfo> read(StateBucket bucket, StatePath state, String key, String versionId)
            throws MalformedException {
        Optional<byte[]> body = bucket.prefix(key, versionId, MAX_BYTES);
        return body.isEmpty() ? Optional.empty() : Optional.of(parse(body.get(), state));
    }

    private static LockInfo parse(byte[] body, StatePath state) throws MalformedException {
        LockInfo info = LockInfo.parse(new String(body, StandardCharsets.UTF_8));
        if (!info.path().equals(state.path())) {
            throw new MalformedException("lock info Path does not match the lock file's state");
        }
        return info;
    }

    /** The same, for a lock that only counts if it can be read: anything unreadable is no lock. */
    public static Optional<LockInfo> held(StateBucket bucket, StatePath state, String key) {
        try {
            return read(bucket, state, key, null);
        } catch (MalformedException | StateBucket.Unreadable e) {
            return Optional.empty();
        }
    }

    /** The lock a lock file held whose lock info was not read: taken when its object was written, by someone unknown. */
    public static Facts.Lock unread(String orderedSequencer, Instant createdAt) {
        return new Facts.Lock(UNREAD + orderedSequencer, null, null, null, createdAt, null);
    }
}

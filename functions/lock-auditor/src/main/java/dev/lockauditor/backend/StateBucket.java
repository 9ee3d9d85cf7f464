package dev.lockauditor.backend;

import java.util.List;
import java.util.Optional;

/** The Terraform state bucket, read only. */
public interface StateBucket {

    /** The bucket's name. */
    String name();

    /** The object's metadata, if it exists. */
    Optional<ObjectHead> head(String key);

    /** The first {@code bytes} bytes of an object (a version of it when {@code versionId} is set), if it exists. */
    Optional<byte[]> prefix(String key, String versionId, int bytes);

    /**
     * The first bytes of an object as one ranged read gives them.
     *
     * @param whole       whether they are the whole object
     * @param contentType the object's Content-Type, or null
     * @param size        the whole object's size, or null when it is not known
     * @param encryption  how the object is encrypted, or null when the read does not say
     * @param etag        the ETag of the object read, or null when the read does not say: later reads of the same
     *                    object name it, so that they read what this one did
     */
    record Start(byte[] bytes, boolean whole, String contentType, Long size, ObjectHead.Encryption encryption,
                 String etag) {
    }

    /**
     * The first bytes of the object an event is about: its version when the event names one, else the current object
     * only while its ETag is still the event's (a bucket without versioning keeps only the latest write).
     *
     * @throws Unreadable when the object was overwritten before it could be read
     */
    default Optional<Start> startOfWrite(String key, String versionId, String etag, int bytes) {
        return prefix(key, versionId, bytes).map(read -> new Start(read, read.length < bytes, null,
                read.length < bytes ? (long) read.length : null, null, null));
    }

    /** The same, the bytes alone. */
    default Optional<byte[]> prefixOfWrite(String key, String versionId, String etag, int bytes) {
        return startOfWrite(key, versionId, etag, bytes).map(Start::bytes);
    }

    /**
     * The rest of the object {@link #startOfWrite} read the start of, from byte {@code from} to its end, as a stream
     * the caller reads through and closes: so that an object read to its end is read once. The same version (or, on a
     * bucket without versioning, the same ETag) as the start, or {@link Unreadable}.
     */
    default Optional<java.io.InputStream> rest(String key, String versionId, String etag, long from) {
        return prefix(key, versionId, Integer.MAX_VALUE).map(all -> new java.io.ByteArrayInputStream(all,
                (int) Math.min(from, all.length), Math.max(0, all.length - (int) Math.min(from, all.length))));
    }

    /** The MD5 of the object's bytes, read through in constant memory, if it exists. */
    Optional<String> md5(String key, String versionId);

    /** The keys of every object whose key ends with {@code suffix}. */
    List<String> keysEndingWith(String suffix);

    /** An object as a listing shows it. */
    record Listed(String key, String etag, Long size, java.time.Instant lastModified) {
    }

    /** One page of a listing of the bucket, and where the next page starts (null after the last one). */
    record Page(List<Listed> objects, String next) {
    }

    /** One page of the bucket's objects, from {@code continuation} (null: the first page). */
    default Page page(String continuation) {
        return new Page(continuation != null ? List.of()
                : keysEndingWith("").stream().map(key -> new Listed(key, null, null, null)).toList(), null);
    }

    /**
     * One version of an object as a listing of versions shows it: a write, or a delete marker.
     *
     * @param latest whether it is the key's current version (a current delete marker: the object is deleted)
     */
    record Version(String key, String versionId, java.time.Instant lastModified, boolean deleteMarker, Long size,
                   String etag, boolean latest) {
    }

    /**
     * One page of the versions of the objects whose keys start with a prefix, each key's newest first, and where the
     * next page starts (both markers null after the last page).
     */
    record VersionPage(List<Version> versions, String nextKeyMarker, String nextVersionIdMarker) {
    }

    /**
     * One page of the versions of the objects whose keys start with {@code prefix}, from the markers (null: the first
     * page). A bucket that was never versioned lists each object once, with a null version id.
     */
    default VersionPage versions(String prefix, String keyMarker, String versionIdMarker) {
        return new VersionPage(List.of(), null, null);
    }

    /** Every version of one object, oldest first (a few pages at most: one lock file's or state's history). */
    default List<Version> versionsOf(String key) {
        List<Version> versions = new java.util.ArrayList<>();
        eachVersion(key, version -> {
            if (version.key().equals(key)) {
                versions.add(version);
            }
        });
        java.util.Collections.reverse(versions);  // S3 lists a key's versions newest first
        return versions;
    }

    /** Every version of the objects whose keys start with {@code prefix}, as the listing gives them, page by page. */
    default void eachVersion(String prefix, java.util.function.Consumer<Version> each) {
        String keyMarker = null;
        String versionIdMarker = null;
        do {
            VersionPage page = versions(prefix, keyMarker, versionIdMarker);
            page.versions().forEach(each);
            keyMarker = page.nextKeyMarker();
            versionIdMarker = page.nextVersionIdMarker();
        } while (keyMarker != null);
    }

    /** An object S3 will not let the auditor read, such as one encrypted with a customer key (SSE-C). */
    final class Unreadable extends RuntimeException {
        public Unreadable(String why) {
            super(why, null, false, false);
        }
    }
}

package dev.lockauditor.backend;

import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/** A Terraform backend held in memory: the lock table's locks and digests, and the bucket's objects. */
public final class InMemoryBackend implements LockTable, StateBucket {

    public record StoredObject(byte[] body, String etag, String versionId, Instant lastModified,
                               ObjectHead.Encryption encryption) {
    }

    public final Map<String, LockInfo> locks = new HashMap<>();
    public final Map<String, String> digests = new HashMap<>();
    public final Map<String, StoredObject> objects = new HashMap<>();
    public final Map<String, StoredObject> versions = new HashMap<>();
    /** Every write and delete marker, oldest first, as a versioned bucket keeps them. */
    public final List<Version> versionHistory = new ArrayList<>();
    public int md5Reads;
    /** How many times the bucket was listed. */
    public int listings;
    private int nextVersion = 1;

    /** Puts an object as a single-part, unencrypted upload does: its ETag is its MD5. */
    public StoredObject put(String key, String body, Instant at) {
        return put(key, body.getBytes(StandardCharsets.UTF_8), at, ObjectHead.Encryption.NONE, null);
    }

    public StoredObject put(String key, byte[] body, Instant at, ObjectHead.Encryption encryption, String etag) {
        String version = "v" + nextVersion++;
        StoredObject object = new StoredObject(body, etag == null ? md5(body) : etag, version, at, encryption);
        objects.put(key, object);
        versions.put(version, object);
        versionHistory.add(new Version(key, version, at, false, (long) body.length, object.etag(), true));
        return object;
    }

    /** Deletes an object as DeleteObject does on a versioned bucket: a delete marker becomes its current version. */
    public void delete(String key, Instant at) {
        objects.remove(key);
        versionHistory.add(new Version(key, "v" + nextVersion++, at, true, null, null, true));
    }

    /** How many entries a page of the version listing holds, as S3's MaxKeys (1,000 by default). */
    public int versionPageSize = 1000;

    /** The version listing as S3 gives it: keys in order, each key's versions newest first, a page at a time. */
    @Override
    public VersionPage versions(String prefix, String keyMarker, String versionIdMarker) {
        Map<String, List<Version>> byKey = new java.util.TreeMap<>();
        for (Version version : versionHistory) {
            if (version.key().startsWith(prefix)) {
                byKey.computeIfAbsent(version.key(), k -> new ArrayList<>()).add(0, version);
            }
        }
        List<Version> all = new ArrayList<>();
        byKey.values().forEach(newestFirst -> {
            for (int i = 0; i < newestFirst.size(); i++) {
                Version v = newestFirst.get(i);
                all.add(new Version(v.key(), v.versionId(), v.lastModified(), v.deleteMarker(), v.size(), v.etag(), i == 0));
            }
        });
        int from = 0;
        if (keyMarker != null) {
            from = all.size();
            for (int i = 0; i < all.size(); i++) {
                Version v = all.get(i);
                boolean after = versionIdMarker == null ? v.key().compareTo(keyMarker) > 0
                        : v.key().equals(keyMarker) && String.valueOf(v.versionId()).equals(versionIdMarker);
                if (after && versionIdMarker == null) {
                    from = i;
                    break;
                }
                if (after) {
                    from = i + 1;
                    break;
                }
            }
        }
        List<Version> page = all.subList(from, Math.min(all.size(), from + versionPageSize));
        boolean more = from + versionPageSize < all.size();
        Version lastListed = page.isEmpty() ? null : page.get(page.size() - 1);
        return new VersionPage(List.copyOf(page), more ? lastListed.key() : null,
                more ? lastListed.versionId() : null);
    }

    /** Reads of an object's bytes, by key: a first range read, or the rest of an object after it. */
    public final Map<String, Integer> reads = new HashMap<>();

    @Override
    public Optional<Start> startOfWrite(String key, String versionId, String etag, int bytes) {
        StoredObject current = objects.get(key);
        if (versionId == null && etag != null && current != null && !current.etag().equals(etag)) {
            throw new Unreadable("overwritten before it could be read (the bucket is not versioned)");
        }
        reads.merge(key, 1, Integer::sum);
        StoredObject stored = versionId != null ? versions.get(versionId) : current;
        ObjectHead.Encryption encryption = stored == null ? null : stored.encryption();
        return read(key, versionId).map(body -> new Start(Arrays.copyOf(body, Math.min(bytes, body.length)),
                body.length <= bytes, "application/json", (long) body.length, encryption,
                stored == null ? null : stored.etag()));
    }

    @Override
    public Optional<java.io.InputStream> rest(String key, String versionId, String etag, long from) {
        reads.merge(key, 1, Integer::sum);
        return read(key, versionId).map(body -> new java.io.ByteArrayInputStream(body, (int) from,
                body.length - (int) from));
    }

    public static String md5(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String md5(String body) {
        return md5(body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<LockInfo> lock(String lockPath) {
        return Optional.ofNullable(locks.get(lockPath));
    }

    @Override
    public Optional<String> digest(String lockPath) {
        return Optional.ofNullable(digests.get(lockPath));
    }

    @Override
    public List<LockTableItem> scan() {
        List<LockTableItem> items = new ArrayList<>();
        locks.forEach((path, info) -> items.add(new LockTableItem.Lock(state(path), info)));
        digests.forEach((path, md5) -> items.add(new LockTableItem.Digest(state(path), md5)));
        return items;
    }

    private static StatePath state(String path) {
        try {
            return StatePath.parse(path, "env:");
        } catch (MalformedException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public String name() {
        return "acme-tfstate";
    }

    /** The whole bucket as one page, as a listing shows each object. */
    @Override
    public Page page(String continuation) {
        listings++;
        return new Page(objects.keySet().stream().sorted().map(key -> {
            StoredObject object = objects.get(key);
            return new Listed(key, object.etag(), (long) object.body().length, object.lastModified());
        }).toList(), null);
    }

    @Override
    public List<String> keysEndingWith(String suffix) {
        listings++;
        return objects.keySet().stream().filter(key -> key.endsWith(suffix)).sorted().toList();
    }

    @Override
    public Optional<ObjectHead> head(String key) {
        StoredObject object = objects.get(key);
        if (object == null) {
            return Optional.empty();
        }
        if (object.encryption() == ObjectHead.Encryption.SSE_C) {
            throw new Unreadable("SSE-C");
        }
        return Optional.of(new ObjectHead(key, object.body().length, object.etag(), object.versionId(),
                object.lastModified(), object.encryption()));
    }

    @Override
    public Optional<byte[]> prefix(String key, String versionId, int bytes) {
        return read(key, versionId).map(body -> Arrays.copyOf(body, Math.min(bytes, body.length)));
    }

    @Override
    public Optional<String> md5(String key, String versionId) {
        md5Reads++;
        return read(key, versionId).map(InMemoryBackend::md5);
    }

    private Optional<byte[]> read(String key, String versionId) {
        StoredObject object = versionId != null ? versions.get(versionId) : objects.get(key);
        if (object != null && object.encryption() == ObjectHead.Encryption.SSE_C) {
            throw new Unreadable("SSE-C");
        }
        return Optional.ofNullable(object).map(StoredObject::body);
    }
}

package dev.lockauditor.aws;

import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.backend.StateBucket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The state bucket through S3: HEAD, ranged GET, and a GET streamed through MD5. Never a write. */
public final class S3StateBucket implements StateBucket {

    private static final int BUFFER = 256 * 1024;

    private final Supplier<S3Client> client;
    private final String bucket;

    public S3StateBucket(S3Client s3, String bucket) {
        this(() -> s3, bucket);
    }

    /** @param client the S3 client, built when first needed (a function that never reads the bucket never builds it) */
    public S3StateBucket(Supplier<S3Client> client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    @Override
    public String name() {
        return bucket;
    }

    @Override
    public Optional<ObjectHead> head(String key) {
        try {
            HeadObjectResponse head = client.get().headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectHead(key, head.contentLength(), unquote(head.eTag()), head.versionId(),
                    head.lastModified(), encryption(head.serverSideEncryption(), head.sseCustomerAlgorithm())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            return handle(e);
        }
    }

    @Override
    public Optional<byte[]> prefix(String key, String versionId, int bytes) {
        return ranged(() -> client.get().getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)
                .range("bytes=0-" + (bytes - 1))).asByteArray());
    }

    @Override
    public Optional<Start> startOfWrite(String key, String versionId, String etag, int bytes) {
        boolean pinned = versionId == null && etag != null && !etag.isEmpty();
        try {
            return ranged(() -> {
                var read = client.get().getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)
                        .ifMatch(pinned ? "\"" + etag + "\"" : null).range("bytes=0-" + (bytes - 1)));
                byte[] body = read.asByteArray();
                Long size = size(read.response().contentRange(), read.response().contentLength());
                return new Start(body, size != null ? body.length >= size : body.length < bytes,
                        read.response().contentType(), size,
                        encryption(read.response().serverSideEncryption(), read.response().sseCustomerAlgorithm()),
                        read.response().eTag() == null ? null : read.response().eTag().replace("\"", ""));
            }, () -> new Start(new byte[0], true, null, 0L, null, null));
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new StateBucket.Unreadable("overwritten before it could be read (the bucket is not versioned)");
            }
            throw e;
        }
    }

    @Override
    public Optional<java.io.InputStream> rest(String key, String versionId, String etag, long from) {
        boolean pinned = versionId == null && etag != null && !etag.isEmpty();
        try {
            return Optional.of(client.get().getObject(b -> b.bucket(bucket).key(key).versionId(versionId)
                    .ifMatch(pinned ? "\"" + etag + "\"" : null).range("bytes=" + from + "-")));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return Optional.of(java.io.InputStream.nullInputStream());
            }
            if (e.statusCode() == 412) {
                throw new StateBucket.Unreadable("overwritten before it could be read (the bucket is not versioned)");
            }
            return handle(e);
        }
    }

    /** The whole object's size from a ranged read's {@code Content-Range} ({@code bytes 0-65535/209715200}). */
    private static Long size(String contentRange, Long contentLength) {
        if (contentRange != null && contentRange.lastIndexOf('/') > 0) {
            String total = contentRange.substring(contentRange.lastIndexOf('/') + 1);
            if (!total.equals("*")) {
                try {
                    return Long.parseLong(total.strip());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return contentRange == null ? contentLength : null;
    }

    @Override
    public Optional<String> md5(String key, String versionId) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (ResponseInputStream<GetObjectResponse> in = client.get().getObject(b -> b.bucket(bucket).key(key).versionId(versionId))) {
            digest(in, md5);
            return Optional.of(HexFormat.of().formatHex(md5.digest()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            return handle(e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + key + " failed", e);
        }
    }

    @Override
    public List<String> keysEndingWith(String suffix) {
        List<String> keys = new ArrayList<>();
        client.get().listObjectsV2Paginator(b -> b.bucket(bucket)).contents().forEach(object -> {
            if (object.key().endsWith(suffix)) {
                keys.add(object.key());
            }
        });
        return keys;
    }

    @Override
    public Page page(String continuation) {
        var response = client.get().listObjectsV2(b -> b.bucket(bucket).continuationToken(continuation));
        List<Listed> objects = new ArrayList<>(response.contents().size());
        response.contents().forEach(object -> objects.add(new Listed(object.key(), unquote(object.eTag()),
                object.size(), object.lastModified())));
        return new Page(objects, Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null);
    }

    @Override
    public VersionPage versions(String prefix, String keyMarker, String versionIdMarker) {
        var response = client.get().listObjectVersions(b -> b.bucket(bucket).prefix(prefix).keyMarker(keyMarker)
                .versionIdMarker(versionIdMarker));
        Map<String, List<Version>> writes = new LinkedHashMap<>();
        Map<String, List<Version>> markers = new LinkedHashMap<>();
        response.versions().forEach(version -> writes.computeIfAbsent(version.key(), k -> new ArrayList<>())
                .add(new Version(version.key(), versionId(version.versionId()), version.lastModified(), false,
                        version.size(), unquote(version.eTag()), Boolean.TRUE.equals(version.isLatest()))));
        response.deleteMarkers().forEach(marker -> markers.computeIfAbsent(marker.key(), k -> new ArrayList<>())
                .add(new Version(marker.key(), versionId(marker.versionId()), marker.lastModified(), true, null, null,
                        Boolean.TRUE.equals(marker.isLatest()))));
        java.util.SortedSet<String> keys = new java.util.TreeSet<>(writes.keySet());
        keys.addAll(markers.keySet());
        List<Version> versions = new ArrayList<>(response.versions().size() + response.deleteMarkers().size());
        for (String key : keys) {
            versions.addAll(newestFirst(writes.getOrDefault(key, List.of()), markers.getOrDefault(key, List.of())));
        }
        boolean more = Boolean.TRUE.equals(response.isTruncated());
        return new VersionPage(versions, more ? response.nextKeyMarker() : null, more ? response.nextVersionIdMarker() : null);
    }

    /**
     * One key's versions and delete markers, each newest first as S3 lists them, merged back into the one order S3
     * listed them in (the SDK gives them apart): the current one first, then by time. S3's times are whole seconds: of
     * a version and a delete marker in the same second, the one that alternates with the entry before it is the newer
     * (after a delete marker, a version; after a version, a marker), as a lock file's creations and deletions do.
     */
    static List<Version> newestFirst(List<Version> writes, List<Version> markers) {
        List<Version> merged = new ArrayList<>(writes.size() + markers.size());
        int w = 0;
        int m = 0;
        while (w < writes.size() || m < markers.size()) {
            Version write = w < writes.size() ? writes.get(w) : null;
            Version marker = m < markers.size() ? markers.get(m) : null;
            boolean takeWrite;
            if (write == null || marker == null) {
                takeWrite = write != null;
            } else if (write.latest() || marker.latest()) {
                takeWrite = write.latest();
            } else if (!write.lastModified().equals(marker.lastModified())) {
                takeWrite = write.lastModified().isAfter(marker.lastModified());
            } else {
                takeWrite = merged.isEmpty() || merged.get(merged.size() - 1).deleteMarker();
            }
            merged.add(takeWrite ? writes.get(w++) : markers.get(m++));
        }
        return merged;
    }

    /** S3 names the version of an object written before versioning was turned on {@code null}. */
    private static String versionId(String id) {
        return id == null || id.equals("null") ? null : id;
    }

    /** Reads a stream through an MD5, a buffer at a time: memory stays the same whatever the stream's size. */
    public static void digest(InputStream in, MessageDigest md5) throws IOException {
        byte[] buffer = new byte[BUFFER];
        for (int read; (read = in.read(buffer)) >= 0; ) {
            md5.update(buffer, 0, read);
        }
    }

    /**
     * What S3's answer about one object means. Anything an object itself can cause (it is gone, empty, encrypted
     * with a key the auditor does not have, or not readable by it) is an answer about that object, never a fault
     * to retry; throttling, server errors and the bucket's own absence stay faults.
     */
    static <T> Optional<T> handle(S3Exception e) {
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
        switch (e.statusCode()) {
            case 404:
                if ("NoSuchBucket".equals(code)) {
                    throw e;
                }
                return Optional.empty();
            case 400:
                if ("InvalidRequest".equals(code)) {
                    // S3 answers this to a read of an object encrypted with a customer-provided key (SSE-C).
                    throw new StateBucket.Unreadable("SSE-C");
                }
                throw e;
            case 403:
                throw new StateBucket.Unreadable("access denied (" + (code.isEmpty() ? "403" : code)
                        + "): the auditor's role, the bucket policy or the object's KMS key does not let it read this object");
            default:
                throw e;
        }
    }

    /** A range read of an object: a zero-byte object has no range to read, and S3 answers 416 for it. */
    private static Optional<byte[]> ranged(java.util.function.Supplier<byte[]> read) {
        return ranged(read, () -> new byte[0]);
    }

    private static <T> Optional<T> ranged(java.util.function.Supplier<T> read, java.util.function.Supplier<T> empty) {
        try {
            return Optional.of(read.get());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return Optional.of(empty.get());
            }
            if (e.statusCode() == 412) {
                throw e;
            }
            return handle(e);
        }
    }

    private static ObjectHead.Encryption encryption(ServerSideEncryption sse, String customerAlgorithm) {
        if (customerAlgorithm != null) {
            return ObjectHead.Encryption.SSE_C;
        }
        if (sse == ServerSideEncryption.AWS_KMS || sse == ServerSideEncryption.AWS_KMS_DSSE) {
            return ObjectHead.Encryption.SSE_KMS;
        }
        return sse == ServerSideEncryption.AES256 ? ObjectHead.Encryption.SSE_S3 : ObjectHead.Encryption.NONE;
    }

    private static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }
}

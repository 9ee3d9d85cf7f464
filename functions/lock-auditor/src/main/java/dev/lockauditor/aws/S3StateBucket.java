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
import java.util.List;
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
        try {
            return Optional.of(client.get().getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)
                    .range("bytes=0-" + (bytes - 1))).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            return handle(e);
        }
    }

    @Override
    public Optional<byte[]> prefixOfWrite(String key, String versionId, String etag, int bytes) {
        if (versionId != null || etag == null || etag.isEmpty()) {
            return prefix(key, versionId, bytes);
        }
        try {
            return Optional.of(client.get().getObjectAsBytes(b -> b.bucket(bucket).key(key).ifMatch("\"" + etag + "\"")
                    .range("bytes=0-" + (bytes - 1))).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new StateBucket.Unreadable("overwritten before it could be read (the bucket is not versioned)");
            }
            return handle(e);
        }
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

    /** Reads a stream through an MD5, a buffer at a time: memory stays the same whatever the stream's size. */
    public static void digest(InputStream in, MessageDigest md5) throws IOException {
        byte[] buffer = new byte[BUFFER];
        for (int read; (read = in.read(buffer)) >= 0; ) {
            md5.update(buffer, 0, read);
        }
    }

    private static <T> Optional<T> handle(S3Exception e) {
        if (e.statusCode() == 404) {
            return Optional.empty();
        }
        if (e.statusCode() == 400 && e.awsErrorDetails() != null
                && "InvalidRequest".equals(e.awsErrorDetails().errorCode())) {
            // S3 answers this to a read of an object encrypted with a customer-provided key (SSE-C).
            throw new StateBucket.Unreadable("SSE-C");
        }
        throw e;
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

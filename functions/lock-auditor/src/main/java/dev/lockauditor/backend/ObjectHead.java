package dev.lockauditor.backend;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * What S3 says of an object without reading it.
 *
 * @param etag         the ETag without quotes
 * @param versionId    the version id, or null on an unversioned bucket
 * @param encryption   the server-side encryption
 */
public record ObjectHead(String key, long size, String etag, String versionId, Instant lastModified,
                         Encryption encryption) {

    public enum Encryption { NONE, SSE_S3, SSE_KMS, SSE_C }

    private static final Pattern MD5_HEX = Pattern.compile("[0-9a-f]{32}");

    /**
     * The object's MD5 when its ETag is one: a single-part upload that is not encrypted with SSE-KMS or SSE-C.
     * Multipart ETags ({@code <hex>-<parts>}) and KMS or customer-key ETags are not the MD5 of the body.
     */
    public String md5FromEtag() {
        return etagIsMd5(etag, encryption) ? etag : null;
    }

    /** Whether an object's ETag is the MD5 of its body: a single-part upload not encrypted with SSE-KMS or SSE-C. */
    public static boolean etagIsMd5(String etag, Encryption encryption) {
        boolean plain = encryption == Encryption.NONE || encryption == Encryption.SSE_S3;
        return plain && etag != null && MD5_HEX.matcher(etag).matches();
    }
}

package dev.lockauditor.events;

import dev.lockauditor.history.Facts;
import java.time.Instant;

/**
 * One CloudTrail data event on the backend: a request that wrote or deleted a state object or lock file
 * ({@code s3}), or a lock table item ({@code dynamodb}), and who made it.
 *
 * @param operation {@code PutObject}, {@code CopyObject}, {@code CompleteMultipartUpload}, {@code DeleteObject},
 *                  {@code PutItem}, {@code DeleteItem}
 * @param at        when the request was made (CloudTrail's {@code eventTime}, whole seconds)
 * @param requestId the request's id; for S3 the same id the object's event carries
 * @param key       the object key ({@code s3})
 * @param lockId    the item's {@code LockID} ({@code dynamodb})
 */
public record ApiCall(Service service, String operation, Instant at, String requestId, String bucket, String key,
                      String table, String lockId, Facts.Caller caller) {

    public enum Service { S3, DYNAMODB }

    /** Whether the request deleted what it names (else it wrote it). */
    public boolean deletes() {
        return operation.startsWith("Delete");
    }
}

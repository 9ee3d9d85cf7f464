package dev.lockauditor.runtime;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A Terraform S3 backend (lock table and state bucket) used exactly as Terraform's S3 backend uses it: the
 * demo's team, and the tests' Terraform.
 */
public class TerraformS3Backend {

    public final String bucket;
    public final String lockTable;
    public final DynamoDbClient dynamoDb;
    public final S3Client s3;

    public TerraformS3Backend(AwsClients aws, String bucket, String lockTable) {
        this.bucket = bucket;
        this.lockTable = lockTable;
        this.dynamoDb = aws.dynamoDb();
        this.s3 = aws.s3();
    }

    /** The lock table as Terraform's documentation creates it, with the stream the auditor reads. */
    public TerraformS3Backend createLockTable(StreamViewType streamViewType) {
        dynamoDb.createTable(b -> b.tableName(lockTable)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("LockID").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("LockID").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(streamViewType != null).streamViewType(streamViewType)));
        return this;
    }

    public String lockPath(String stateKey) {
        return bucket + "/" + stateKey;
    }

    /** {@code terraform apply} taking the lock: a conditional PutItem of the lock info. */
    public LockInfo lock(String stateKey, String operation, String who) {
        return lock(stateKey, operation, who, Instant.now());
    }

    public LockInfo lock(String stateKey, String operation, String who, Instant created) {
        String path = lockPath(stateKey);
        String id = UUID.randomUUID().toString();
        LockInfo info = new LockInfo(id, operation, "", who, "1.11.2", created.toString(), path);
        dynamoDb.putItem(b -> b.tableName(lockTable)
                .item(Map.of("LockID", AttributeValue.fromS(path), "Info", AttributeValue.fromS(info.toJson())))
                .conditionExpression("attribute_not_exists(LockID)"));
        return info;
    }

    /** After the state upload: an unconditional PutItem of the digest. */
    public void putDigest(String stateKey, String md5) {
        dynamoDb.putItem(b -> b.tableName(lockTable).item(Map.of(
                "LockID", AttributeValue.fromS(lockPath(stateKey) + "-md5"), "Digest", AttributeValue.fromS(md5))));
    }

    /** Unlock: read the lock, compare its ID, delete it by key (no condition, as Terraform does). */
    public void unlock(String stateKey, String lockId) {
        Map<String, AttributeValue> key = Map.of("LockID", AttributeValue.fromS(lockPath(stateKey)));
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(lockTable).key(key).consistentRead(true)).item();
        LockInfo held;
        try {
            held = LockInfo.parse(item.get("Info").s());
        } catch (MalformedException e) {
            throw new IllegalStateException(e.getMessage());
        }
        if (!held.id().equals(lockId)) {
            throw new IllegalStateException("lock id mismatch");
        }
        dynamoDb.deleteItem(b -> b.tableName(lockTable).key(key));
    }

    /** The state bucket, unversioned (moto sends no event for a delete marker). */
    public TerraformS3Backend createBucket() {
        s3.createBucket(b -> b.bucket(bucket));
        return this;
    }

    /** Uploads a state as Terraform does, and returns the digest Terraform would store for it. */
    public String putState(String stateKey, String body) {
        s3.putObject(b -> b.bucket(bucket).key(stateKey).contentType("application/json"),
                RequestBody.fromString(body, StandardCharsets.UTF_8));
        return md5(body);
    }

    public void deleteState(String stateKey) {
        s3.deleteObject(b -> b.bucket(bucket).key(stateKey));
    }

    /** Versioning on, as Terraform's documentation asks of a state bucket. */
    public TerraformS3Backend versioned() {
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        return this;
    }

    /** {@code use_lockfile}: the lock info as {@code <state>.tflock}, created only if absent. */
    public LockInfo lockFile(String stateKey, String who) {
        return lockFile(stateKey, who, Instant.now());
    }

    public LockInfo lockFile(String stateKey, String who, Instant created) {
        LockInfo info = new LockInfo(UUID.randomUUID().toString(), "OperationTypeApply", "", who, "1.11.2",
                created.toString(), lockPath(stateKey));
        s3.putObject(b -> b.bucket(bucket).key(stateKey + ".tflock").contentType("application/json").ifNoneMatch("*"),
                RequestBody.fromString(info.toJson(), StandardCharsets.UTF_8));
        return info;
    }

    public void unlockFile(String stateKey) {
        s3.deleteObject(b -> b.bucket(bucket).key(stateKey + ".tflock"));
    }

    public static String md5(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void putItem(Map<String, AttributeValue> item) {
        dynamoDb.putItem(b -> b.tableName(lockTable).item(item));
    }
}

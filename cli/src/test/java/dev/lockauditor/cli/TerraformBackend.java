package dev.lockauditor.cli;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.terraform.LockInfo;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** A Terraform S3 backend's lock table on moto, used exactly as Terraform's S3 backend uses it. */
final class TerraformBackend {

    final String bucket;
    final String lockTable;
    final DynamoDbClient dynamoDb;

    TerraformBackend(String name) {
        this.bucket = name + "-tfstate";
        this.lockTable = name + "-locks";
        this.dynamoDb = AwsClients.forTools(MotoServer.environment()).dynamoDb();
    }

    /** The lock table as Terraform's documentation creates it, with the stream the auditor reads. */
    TerraformBackend createLockTable(StreamViewType streamViewType) {
        dynamoDb.createTable(b -> b.tableName(lockTable)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("LockID").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("LockID").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(streamViewType != null).streamViewType(streamViewType)));
        return this;
    }

    String lockPath(String stateKey) {
        return bucket + "/" + stateKey;
    }

    /** {@code terraform apply} taking the lock: a conditional PutItem of the lock info. */
    LockInfo lock(String stateKey, String operation, String who) {
        String path = lockPath(stateKey);
        String id = UUID.randomUUID().toString();
        LockInfo info = new LockInfo(id, operation, "", who, "1.11.2", Instant.now().toString(), path);
        dynamoDb.putItem(b -> b.tableName(lockTable)
                .item(Map.of("LockID", AttributeValue.fromS(path), "Info", AttributeValue.fromS(info.toJson())))
                .conditionExpression("attribute_not_exists(LockID)"));
        return info;
    }

    /** After the state upload: an unconditional PutItem of the digest. */
    void putDigest(String stateKey, String md5) {
        dynamoDb.putItem(b -> b.tableName(lockTable).item(Map.of(
                "LockID", AttributeValue.fromS(lockPath(stateKey) + "-md5"), "Digest", AttributeValue.fromS(md5))));
    }

    /** Unlock: read the lock, compare its ID, delete it by key (no condition, as Terraform does). */
    void unlock(String stateKey, String lockId) throws Exception {
        Map<String, AttributeValue> key = Map.of("LockID", AttributeValue.fromS(lockPath(stateKey)));
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(lockTable).key(key).consistentRead(true)).item();
        LockInfo held = LockInfo.parse(item.get("Info").s());
        if (!held.id().equals(lockId)) {
            throw new IllegalStateException("lock id mismatch");
        }
        dynamoDb.deleteItem(b -> b.tableName(lockTable).key(key));
    }

    void putItem(Map<String, AttributeValue> item) {
        dynamoDb.putItem(b -> b.tableName(lockTable).item(item));
    }
}

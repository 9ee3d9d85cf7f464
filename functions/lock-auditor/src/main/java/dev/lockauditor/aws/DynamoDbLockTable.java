package dev.lockauditor.aws;

import dev.lockauditor.backend.LockTable;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.StateKeys;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The Terraform lock table through DynamoDB, read with consistent GetItem. Never a write. */
public final class DynamoDbLockTable implements LockTable {

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String workspaceKeyPrefix;

    public DynamoDbLockTable(DynamoDbClient dynamoDb, String table, String workspaceKeyPrefix) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.workspaceKeyPrefix = workspaceKeyPrefix;
    }

    @Override
    public Optional<LockInfo> lock(String lockPath) {
        return item(lockPath) instanceof LockTableItem.Lock lock ? Optional.of(lock.info()) : Optional.empty();
    }

    @Override
    public Optional<String> digest(String lockPath) {
        return item(StateKeys.digestLockId(lockPath)) instanceof LockTableItem.Digest digest
                ? Optional.of(digest.md5()) : Optional.empty();
    }

    private LockTableItem item(String lockId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("LockID", AttributeValue.fromS(lockId)))).item();
        if (item == null || item.isEmpty()) {
            return null;
        }
        Map<String, String> strings = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        item.forEach((name, value) -> {
            types.put(name, value.type().name());
            if (value.s() != null) {
                strings.put(name, value.s());
            }
        });
        return LockTableItem.classify(strings, types, workspaceKeyPrefix);
    }
}

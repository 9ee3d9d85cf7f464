package dev.lockauditor.aws;

import dev.lockauditor.backend.LockTable;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.StateKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Terraform lock table through DynamoDB: consistent GetItem, and Scan. Never a write.
 *
 * @param itemsPerSegment how many items make the scan use one more parallel segment (up to 8)
 */
public record DynamoDbLockTable(DynamoDbClient dynamoDb, String table, String workspaceKeyPrefix, long itemsPerSegment)
        implements LockTable {

    static final int ITEMS_PER_SEGMENT = 5_000;
    static final int MAX_SEGMENTS = 8;

    public DynamoDbLockTable(DynamoDbClient dynamoDb, String table, String workspaceKeyPrefix) {
        this(dynamoDb, table, workspaceKeyPrefix, ITEMS_PER_SEGMENT);
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

    /**
     * Scans the table, in parallel segments when it is large (DynamoDB's item count is refreshed about every
     * six hours, which is plenty to size the scan).
     */
    @Override
    public List<LockTableItem> scan() {
        Long count = dynamoDb.describeTable(b -> b.tableName(table)).table().itemCount();
        int segments = (int) Math.max(1, Math.min(MAX_SEGMENTS, (count == null ? 0 : count) / itemsPerSegment));
        if (segments == 1) {
            return scanSegment(0, 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(segments);
        try {
            List<Future<List<LockTableItem>>> parts = new ArrayList<>();
            for (int segment = 0; segment < segments; segment++) {
                int current = segment;
                parts.add(pool.submit(() -> scanSegment(current, segments)));
            }
            List<LockTableItem> items = new ArrayList<>();
            for (Future<List<LockTableItem>> part : parts) {
                items.addAll(part.get());
            }
            return items;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scanning " + table, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    private List<LockTableItem> scanSegment(int segment, int segments) {
        List<LockTableItem> items = new ArrayList<>();
        dynamoDb.scanPaginator(b -> b.tableName(table).segment(segment).totalSegments(segments))
                .items().forEach(item -> items.add(classify(item)));
        return items;
    }

    private LockTableItem item(String lockId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("LockID", AttributeValue.fromS(lockId)))).item();
        if (item == null || item.isEmpty()) {
            return null;
        }
        return classify(item);
    }

    private LockTableItem classify(Map<String, AttributeValue> item) {
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

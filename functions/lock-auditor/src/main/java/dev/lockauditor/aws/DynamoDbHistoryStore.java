package dev.lockauditor.aws;

import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * History in a DynamoDB table: partition key {@code statePath}, sort key {@code eventKey}, so that one
 * Query reads a state's history in time order and the same event always lands on the same item.
 * Items expire through the table's TTL attribute {@code expiresAt}.
 */
public final class DynamoDbHistoryStore implements HistoryStore {

    public static final String PARTITION_KEY = HistoryAttributes.STATE_PATH;
    public static final String SORT_KEY = HistoryAttributes.EVENT_KEY;
    public static final String TTL_ATTRIBUTE = HistoryAttributes.EXPIRES_AT;
    static final int BATCH_SIZE = 25;
    private static final int ATTEMPTS = 6;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration retention;
    private final Sleeper sleeper;

    public DynamoDbHistoryStore(DynamoDbClient dynamoDb, String table, Duration retention) {
        this(dynamoDb, table, retention, Thread::sleep);
    }

    DynamoDbHistoryStore(DynamoDbClient dynamoDb, String table, Duration retention, Sleeper sleeper) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.retention = retention;
        this.sleeper = sleeper;
    }

    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    @Override
    public void write(List<HistoryEvent> events) throws WriteFailure {
        for (int start = 0; start < events.size(); start += BATCH_SIZE) {
            List<HistoryEvent> chunk = events.subList(start, Math.min(events.size(), start + BATCH_SIZE));
            try {
                writeChunk(chunk);
            } catch (SdkException | UnprocessedException e) {
                throw new WriteFailure(start, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WriteFailure(start, e);
            }
        }
    }

    private void writeChunk(List<HistoryEvent> chunk) throws InterruptedException, UnprocessedException {
        // One request may not name an item twice; the last write of an item wins, as it would in order.
        Map<String, WriteRequest> byKey = new LinkedHashMap<>();
        for (HistoryEvent event : chunk) {
            Map<String, AttributeValue> item = item(event);
            byKey.put(event.state().path() + "\n" + item.get(SORT_KEY).s(),
                    WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        Map<String, List<WriteRequest>> pending = Map.of(table, new ArrayList<>(byKey.values()));
        for (int attempt = 1; ; attempt++) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(b -> b.requestItems(request));
            Map<String, List<WriteRequest>> unprocessed = response.unprocessedItems();
            if (unprocessed == null || unprocessed.isEmpty()) {
                return;
            }
            if (attempt == ATTEMPTS) {
                throw new UnprocessedException(unprocessed.getOrDefault(table, List.of()).size());
            }
            pending = unprocessed;
            sleeper.sleep(50L << attempt);
        }
    }

    @Override
    public boolean recordOnce(HistoryEvent entry) {
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item(entry))
                    .conditionExpression("attribute_not_exists(" + PARTITION_KEY + ")"));
            return true;
        } catch (ConditionalCheckFailedException alreadyThere) {
            return false;
        }
    }

    @Override
    public void forget(HistoryEvent entry) {
        dynamoDb.deleteItem(b -> b.tableName(table).key(Map.of(
                PARTITION_KEY, AttributeValue.fromS(entry.state().path()),
                SORT_KEY, AttributeValue.fromS(entry.eventKey()))));
    }

    @Override
    public List<HistoryEvent> read(HistoryQuery query) {
        String from = query.afterKey() == null ? "" : query.afterKey();
        String to = query.beforeKey() == null ? "~" : query.beforeKey();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":p", AttributeValue.fromS(query.statePath()));
        values.put(":from", AttributeValue.fromS(from.isEmpty() ? "0" : from));
        values.put(":to", AttributeValue.fromS(to));
        List<String> names = new ArrayList<>();
        if (query.kinds() != null) {
            for (String kind : query.kinds()) {
                String name = ":k" + names.size();
                names.add(name);
                values.put(name, AttributeValue.fromS(kind));
            }
        }
        List<HistoryEvent> entries = new ArrayList<>();
        if (from.compareTo(to) >= 0 || (query.kinds() != null && query.kinds().isEmpty())) {
            return entries;
        }
        Map<String, String> attributeNames = new HashMap<>(Map.of("#p", PARTITION_KEY, "#k", SORT_KEY));
        if (!names.isEmpty()) {
            attributeNames.put("#e", HistoryAttributes.EVENT);
        }
        var pages = dynamoDb.queryPaginator(b -> {
            b.tableName(table)
                    .keyConditionExpression("#p = :p AND #k BETWEEN :from AND :to")
                    .expressionAttributeNames(attributeNames)
                    .expressionAttributeValues(values)
                    .scanIndexForward(!query.descending())
                    .consistentRead(true);
            if (!names.isEmpty()) {
                b.filterExpression("#e IN (" + String.join(", ", names) + ")");
            }
        });
        for (Map<String, AttributeValue> item : pages.items()) {
            String key = item.get(SORT_KEY).s();
            if (key.equals(from) || key.equals(to)) {
                continue;
            }
            entries.add(HistoryEvent.fromFields(fields(item)));
            if (entries.size() == query.limit()) {
                break;
            }
        }
        return entries;
    }

    private static Map<String, Object> fields(Map<String, AttributeValue> item) {
        Map<String, Object> fields = new LinkedHashMap<>();
        item.forEach((name, value) -> {
            if (value.s() != null) {
                fields.put(name, value.s());
            } else if (value.n() != null) {
                fields.put(name, value.n().contains(".") ? Double.valueOf(value.n()) : Long.valueOf(value.n()));
            } else if (value.bool() != null) {
                fields.put(name, value.bool());
            }
        });
        return fields;
    }

    /** The item an event is stored as. */
    public Map<String, AttributeValue> item(HistoryEvent event) {
        Map<String, AttributeValue> item = new HashMap<>(48);
        event.fields().forEach((name, value) -> item.put(name, attribute(value)));
        item.put(TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(event.at().plus(retention).getEpochSecond())));
        return item;
    }

    private static AttributeValue attribute(Object value) {
        if (value instanceof Number number) {
            return AttributeValue.fromN(number.toString());
        }
        if (value instanceof Boolean bool) {
            return AttributeValue.fromBool(bool);
        }
        return AttributeValue.fromS(value.toString());
    }

    private static final class UnprocessedException extends Exception {
        UnprocessedException(int count) {
            super(count + " items still unprocessed after " + ATTEMPTS + " attempts", null, false, false);
        }
    }
}

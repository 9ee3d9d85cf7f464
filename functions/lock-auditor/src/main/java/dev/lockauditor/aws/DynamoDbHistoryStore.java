package dev.lockauditor.aws;

import dev.lockauditor.config.Environments;
import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * History in a DynamoDB table: partition key {@code statePath}, sort key {@code eventKey}, so that one
 * Query reads a state's history in time order and the same event always lands on the same item.
 * Items expire through the table's TTL attribute {@code expiresAt}. Alerts are claimed in the same table
 * ({@link DynamoDbAlertClaims}).
 */
public final class DynamoDbHistoryStore implements HistoryStore {

    public static final String PARTITION_KEY = HistoryAttributes.STATE_PATH;
    public static final String SORT_KEY = HistoryAttributes.EVENT_KEY;
    public static final String TTL_ATTRIBUTE = HistoryAttributes.EXPIRES_AT;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration retention;
    private final Environments environments;

    /** @param environments the environment each entry is stored under (its attribute {@code environment}) */
    public DynamoDbHistoryStore(DynamoDbClient dynamoDb, String table, Duration retention, Environments environments) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.retention = retention;
        this.environments = environments;
    }

    public DynamoDbHistoryStore(DynamoDbClient dynamoDb, String table, Duration retention) {
        this(dynamoDb, table, retention, Environments.only("default"));
    }

    /**
     * One conditional PutItem per event: it writes an event that is not there yet, and tells it apart from one that
     * was (delivered again, retried, brought back). The write carries an id of its own, so that the SDK retrying a
     * request whose answer was lost finds its own write and still counts it as new.
     */
    @Override
    public List<HistoryEvent> write(List<HistoryEvent> events) throws WriteFailure {
        List<HistoryEvent> written = new ArrayList<>();
        String writeId = UUID.randomUUID().toString();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            if (!seen.add(events.get(i).state().path() + "\n" + events.get(i).eventKey())) {
                continue;  // the same event twice in one write: once is enough
            }
            Map<String, AttributeValue> item = item(events.get(i));
            item.put(HistoryAttributes.WRITE_ID, AttributeValue.fromS(writeId));
            try {
                dynamoDb.putItem(b -> b.tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(#p) OR #w = :w")
                        .expressionAttributeNames(Map.of("#p", PARTITION_KEY, "#w", HistoryAttributes.WRITE_ID))
                        .expressionAttributeValues(Map.of(":w", AttributeValue.fromS(writeId))));
                written.add(events.get(i));
            } catch (ConditionalCheckFailedException alreadyThere) {
                // Written before, by an earlier delivery of the same event.
            } catch (SdkException e) {
                throw new WriteFailure(i, written, e);
            }
        }
        return written;
    }

    @Override
    public void replace(HistoryEvent entry) {
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item(entry))
                    .conditionExpression("attribute_exists(#p)")
                    .expressionAttributeNames(Map.of("#p", PARTITION_KEY)));
        } catch (ConditionalCheckFailedException gone) {
            // Expired or never written: nothing to replace.
        }
    }

    static Map<String, AttributeValue> key(HistoryEvent entry) {
        return Map.of(PARTITION_KEY, AttributeValue.fromS(entry.state().path()),
                SORT_KEY, AttributeValue.fromS(entry.eventKey()));
    }

    /**
     * Every state's history since {@code since}, by state path, each oldest first: one Scan of the table (the
     * auditor's own bookkeeping, under keys that start with {@code #}, left out), for a report over the backend.
     */
    public Map<String, List<HistoryEvent>> readAll(java.time.Instant since) {
        Map<String, List<HistoryEvent>> byState = new java.util.TreeMap<>();
        var pages = dynamoDb.scanPaginator(b -> b.tableName(table)
                .filterExpression("#k >= :since AND NOT begins_with(#p, :own)")
                .expressionAttributeNames(Map.of("#p", PARTITION_KEY, "#k", SORT_KEY))
                .expressionAttributeValues(Map.of(":since", AttributeValue.fromS(HistoryEvent.eventKeyAt(since)),
                        ":own", AttributeValue.fromS("#"))));
        for (Map<String, AttributeValue> item : pages.items()) {
            byState.computeIfAbsent(item.get(PARTITION_KEY).s(), path -> new ArrayList<>())
                    .add(HistoryEvent.fromFields(fields(item)));
        }
        byState.values().forEach(entries -> entries.sort(java.util.Comparator.comparing(HistoryEvent::eventKey)));
        return byState;
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
            Object read = value(value);
            if (read != null) {
                fields.put(name, read);
            }
        });
        return fields;
    }

    /** A stored value as a field: a string, a number, a boolean, or a list or map of them (an alert's restore). */
    private static Object value(AttributeValue value) {
        if (value.s() != null) {
            return value.s();
        } else if (value.n() != null) {
            return value.n().contains(".") ? Double.valueOf(value.n()) : Long.valueOf(value.n());
        } else if (value.bool() != null) {
            return value.bool();
        } else if (value.hasL()) {
            return value.l().stream().map(DynamoDbHistoryStore::value).toList();
        } else if (value.hasM()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.m().forEach((name, nested) -> map.put(name, value(nested)));
            return map;
        }
        return null;
    }

    /** The item an event is stored as. */
    public Map<String, AttributeValue> item(HistoryEvent event) {
        Map<String, AttributeValue> item = new HashMap<>(48);
        event.fields().forEach((name, value) -> item.put(name, attribute(value)));
        item.put(HistoryAttributes.ENVIRONMENT, AttributeValue.fromS(environments.of(event.state())));
        item.put(TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(event.at().plus(retention).getEpochSecond())));
        return item;
    }

    /** Values as attributes: numbers, booleans, lists and maps as themselves, anything else as its text. */
    static Map<String, AttributeValue> attributes(Map<String, Object> values) {
        Map<String, AttributeValue> item = new HashMap<>();
        values.forEach((name, value) -> item.put(name, attribute(value)));
        return item;
    }

    private static AttributeValue attribute(Object value) {
        if (value instanceof Number number) {
            return AttributeValue.fromN(number.toString());
        }
        if (value instanceof Boolean bool) {
            return AttributeValue.fromBool(bool);
        }
        if (value instanceof java.util.List<?> list) {
            return AttributeValue.fromL(list.stream().map(DynamoDbHistoryStore::attribute).toList());
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, AttributeValue> attributes = new LinkedHashMap<>();
            map.forEach((name, nested) -> attributes.put(String.valueOf(name), attribute(nested)));
            return AttributeValue.fromM(attributes);
        }
        return AttributeValue.fromS(value.toString());
    }

}

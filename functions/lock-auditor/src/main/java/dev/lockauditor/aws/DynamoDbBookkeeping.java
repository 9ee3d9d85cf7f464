package dev.lockauditor.aws;

import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Bookkeeping in the history table, under partitions no state can have (a lock path starts with a bucket name, and
 * no bucket name starts with {@code #}): {@code #lock-stream}, {@code #held-locks}, {@code #sweep}, none of which
 * expires, {@code #callers}, kept a day, and {@code #foreign-lock-files}, kept 30 days.
 */
public record DynamoDbBookkeeping(DynamoDbClient dynamoDb, String table) implements Bookkeeping {

    static final String STREAM = "#lock-stream";
    static final String HELD = "#held-locks";
    static final String SWEEP = "#sweep";
    static final String CALLERS = "#callers";
    static final String FOREIGN_LOCK_FILES = "#foreign-lock-files";
    /** How long a .tflock that is not lock info is remembered for its deletion. */
    private static final java.time.Duration FOREIGN_KEPT = java.time.Duration.ofDays(30);
    /** How long a caller waits for its event. */
    private static final java.time.Duration CALLER_KEPT = java.time.Duration.ofDays(1);

    @Override
    public Optional<StreamPosition> lockStreamRecorded() {
        Map<String, AttributeValue> item = get(STREAM, "recorded");
        if (item == null) {
            return Optional.empty();
        }
        return Optional.of(new StreamPosition(Instant.ofEpochMilli(Long.parseLong(item.get("at").n())),
                text(item, "sequenceNumber")));
    }

    @Override
    public void lockStreamRecordedTo(StreamPosition position) {
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(key(STREAM, "recorded"))
                    .updateExpression("SET #a = :at, #s = :seq")
                    .conditionExpression("attribute_not_exists(#a) OR #a <= :at")
                    .expressionAttributeNames(Map.of("#a", "at", "#s", "sequenceNumber"))
                    .expressionAttributeValues(Map.of(":at", AttributeValue.fromN(Long.toString(position.at().toEpochMilli())),
                            ":seq", AttributeValue.fromS(position.sequenceNumber()))));
        } catch (ConditionalCheckFailedException behind) {
            // Another batch recorded a later position.
        }
    }

    @Override
    public List<HeldLock> heldLocks() {
        List<HeldLock> held = new ArrayList<>();
        dynamoDb.queryPaginator(b -> b.tableName(table).keyConditionExpression("#p = :p")
                        .expressionAttributeNames(Map.of("#p", DynamoDbHistoryStore.PARTITION_KEY))
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(HELD))).consistentRead(true))
                .items().forEach(item -> {
                    String created = text(item, "created");
                    String missing = text(item, "missingSince");
                    held.add(new HeldLock(Source.of(text(item, "kind")),
                            new StatePath(text(item, "lockPath"), text(item, "bucket"), text(item, "key"),
                                    text(item, "workspace")),
                            new Facts.Lock(text(item, HistoryAttributes.LOCK_ID), text(item, "operation"), text(item, "who"),
                                    text(item, "version"), created == null ? null : Instant.parse(created),
                                    text(item, "info")),
                            missing == null ? null : Instant.parse(missing)));
                });
        return held;
    }

    @Override
    public void held(HeldLock lock) {
        Map<String, Object> item = new LinkedHashMap<>();
        Facts.putKnown(item, "kind", lock.kind().label());
        Facts.putKnown(item, "lockPath", lock.state().path());
        Facts.putKnown(item, "bucket", lock.state().bucket());
        Facts.putKnown(item, "key", lock.state().key());
        Facts.putKnown(item, "workspace", lock.state().workspace());
        Facts.putKnown(item, HistoryAttributes.LOCK_ID, lock.lock().id());
        Facts.putKnown(item, "operation", lock.lock().operation());
        Facts.putKnown(item, "who", lock.lock().who());
        Facts.putKnown(item, "version", lock.lock().version());
        Facts.putKnown(item, "created", lock.lock().created());
        Facts.putKnown(item, "info", lock.lock().info());
        Facts.putKnown(item, "missingSince", lock.missingSince());
        putItem(HELD, lock.kind().label() + "#" + lock.state().path(), item);
    }

    @Override
    public void released(Source kind, StatePath state, String lockId) {
        try {
            dynamoDb.deleteItem(b -> b.tableName(table).key(key(HELD, kind.label() + "#" + state.path()))
                    .conditionExpression("lockId = :id")
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(lockId))));
        } catch (ConditionalCheckFailedException notThatLock) {
            // Another lock is kept for the state now, or none.
        }
    }

    @Override
    public Optional<Backfill> backfill() {
        Map<String, AttributeValue> item = get(SWEEP, "backfill");
        if (item == null) {
            return Optional.empty();
        }
        return Optional.of(new Backfill(text(item, "keyMarker"), text(item, "versionIdMarker"), time(item, "since"),
                time(item, "startedAt"), time(item, "completedAt"), new BackfillCounts(number(item, "versionsRead"),
                number(item, "states"), number(item, "stateWrites"), number(item, "lockSessions"),
                number(item, "findings"))));
    }

    @Override
    public void backfill(Backfill backfill) {
        Map<String, Object> item = new LinkedHashMap<>();
        Facts.putKnown(item, "keyMarker", backfill.keyMarker());
        Facts.putKnown(item, "versionIdMarker", backfill.versionIdMarker());
        Facts.putKnown(item, "since", backfill.since());
        Facts.putKnown(item, "startedAt", backfill.startedAt());
        Facts.putKnown(item, "completedAt", backfill.completedAt());
        BackfillCounts counts = backfill.counts();
        item.put("versionsRead", counts.versionsRead());
        item.put("states", counts.states());
        item.put("stateWrites", counts.stateWrites());
        item.put("lockSessions", counts.lockSessions());
        item.put("findings", counts.findings());
        putItem(SWEEP, "backfill", item);
    }

    private static Instant time(Map<String, AttributeValue> item, String name) {
        String text = text(item, name);
        return text == null ? null : Instant.parse(text);
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    @Override
    public Optional<Listing> listing() {
        Map<String, AttributeValue> item = get(SWEEP, "listing");
        if (item == null) {
            return Optional.empty();
        }
        String started = text(item, "startedAt");
        String completed = text(item, "completedAt");
        return Optional.of(new Listing(text(item, "continuation"), started == null ? null : Instant.parse(started),
                completed == null ? null : Instant.parse(completed)));
    }

    @Override
    public void listing(Listing listing) {
        Map<String, Object> item = new LinkedHashMap<>();
        Facts.putKnown(item, "continuation", listing.continuation());
        Facts.putKnown(item, "startedAt", listing.startedAt());
        Facts.putKnown(item, "completedAt", listing.completedAt());
        putItem(SWEEP, "listing", item);
    }

    @Override
    public void foreignLockFile(ForeignLockFile file) {
        Map<String, Object> item = new LinkedHashMap<>();
        Facts.putKnown(item, "eventKey", file.eventKey());
        Facts.putKnown(item, "reason", file.reason());
        Facts.putKnown(item, DynamoDbHistoryStore.TTL_ATTRIBUTE,
                HistoryEvent.timeOfEventKey(file.eventKey()).plus(FOREIGN_KEPT).getEpochSecond());
        putItem(FOREIGN_LOCK_FILES, file.key(), item);
    }

    @Override
    public Optional<ForeignLockFile> foreignLockFile(String key) {
        Map<String, AttributeValue> item = get(FOREIGN_LOCK_FILES, key);
        return item == null ? Optional.empty()
                : Optional.of(new ForeignLockFile(key, text(item, "eventKey"), text(item, "reason")));
    }

    @Override
    public void called(Called called) {
        Map<String, Object> item = new LinkedHashMap<>();
        Facts.putKnown(item, "at", called.at());
        Facts.putKnown(item, "principalArn", called.caller().principalArn());
        Facts.putKnown(item, "sourceIp", called.caller().sourceIp());
        Facts.putKnown(item, "userAgent", called.caller().userAgent());
        Facts.putKnown(item, "tool", called.caller().tool());
        Facts.putKnown(item, DynamoDbHistoryStore.TTL_ATTRIBUTE, called.at().plus(CALLER_KEPT).getEpochSecond());
        putItem(CALLERS, called.key(), item);
    }

    @Override
    public Optional<Called> called(String key) {
        Map<String, AttributeValue> item = get(CALLERS, key);
        return item == null ? Optional.empty() : Optional.of(called(item));
    }

    @Override
    public List<Called> calledBetween(String from, String to) {
        List<Called> found = new ArrayList<>();
        dynamoDb.queryPaginator(b -> b.tableName(table).keyConditionExpression("#p = :p AND #k BETWEEN :from AND :to")
                        .expressionAttributeNames(Map.of("#p", DynamoDbHistoryStore.PARTITION_KEY,
                                "#k", DynamoDbHistoryStore.SORT_KEY))
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(CALLERS),
                                ":from", AttributeValue.fromS(from), ":to", AttributeValue.fromS(to)))
                        .consistentRead(true))
                .items().forEach(item -> found.add(called(item)));
        return found;
    }

    private static Called called(Map<String, AttributeValue> item) {
        return new Called(text(item, DynamoDbHistoryStore.SORT_KEY), Instant.parse(text(item, "at")),
                new Facts.Caller(text(item, "principalArn"), text(item, "sourceIp"), text(item, "userAgent"),
                        text(item, "tool")));
    }

    private Map<String, AttributeValue> get(String partition, String sort) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(key(partition, sort))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static Map<String, AttributeValue> key(String partition, String sort) {
        return Map.of(DynamoDbHistoryStore.PARTITION_KEY, AttributeValue.fromS(partition),
                DynamoDbHistoryStore.SORT_KEY, AttributeValue.fromS(sort));
    }

    /** One bookkeeping item, its known values stored as the history stores its fields. */
    private void putItem(String partition, String sort, Map<String, Object> values) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoDbHistoryStore.attributes(values));
        item.putAll(key(partition, sort));
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}

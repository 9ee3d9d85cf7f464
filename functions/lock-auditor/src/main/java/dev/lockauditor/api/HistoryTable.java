package dev.lockauditor.api;

import dev.lockauditor.aws.DynamoDbHistoryStore;

/** The history table's shape, as the template creates it: its keys and its time-to-live attribute. */
public final class HistoryTable {

    /** The partition key: a state's lock path. */
    public static final String PARTITION_KEY = DynamoDbHistoryStore.PARTITION_KEY;
    /** The sort key: an entry's event key, in time order. */
    public static final String SORT_KEY = DynamoDbHistoryStore.SORT_KEY;
    /** Epoch seconds after which DynamoDB deletes an entry. */
    public static final String TTL_ATTRIBUTE = DynamoDbHistoryStore.TTL_ATTRIBUTE;

    private HistoryTable() {
    }
}

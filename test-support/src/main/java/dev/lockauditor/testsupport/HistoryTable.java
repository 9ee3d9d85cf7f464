package dev.lockauditor.testsupport;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reads a state's history back with one Query, as the table is designed to be read. */
public final class HistoryTable {

    private HistoryTable() {
    }

    public static List<Map<String, AttributeValue>> read(DynamoDbClient dynamoDb, String table, String statePath) {
        return dynamoDb.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("statePath = :p")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(statePath)))
                        .consistentRead(true))
                .items().stream().toList();
    }

    /** Every entry of every state's history (the auditor's own bookkeeping, under partitions starting with #, left out). */
    public static List<Map<String, AttributeValue>> entries(DynamoDbClient dynamoDb, String table) {
        return dynamoDb.scanPaginator(b -> b.tableName(table)).items().stream()
                .filter(item -> !item.get("statePath").s().startsWith("#")).toList();
    }

    public static int count(DynamoDbClient dynamoDb, String table) {
        return entries(dynamoDb, table).size();
    }
}

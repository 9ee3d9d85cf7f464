package dev.lockauditor.cli;

import dev.lockauditor.aws.DynamoDbHistoryStore;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The auditor's own resources, created on an emulated AWS on this machine, and never anywhere else. */
final class LocalResources {

    private LocalResources() {
    }

    /** Whether the endpoint is on this machine (loopback), as an emulator is; null (AWS itself) is not. */
    static boolean isLoopback(URI endpoint) {
        if (endpoint == null || endpoint.getHost() == null) {
            return false;
        }
        String host = endpoint.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Creates the history table as template.yaml defines it, if it is missing; returns whether it created it. */
    static boolean ensureHistoryTable(DynamoDbClient dynamoDb, String table) {
        try {
            dynamoDb.describeTable(b -> b.tableName(table));
            return false;
        } catch (ResourceNotFoundException e) {
            dynamoDb.createTable(b -> b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            a -> a.attributeName(DynamoDbHistoryStore.PARTITION_KEY).attributeType(ScalarAttributeType.S),
                            a -> a.attributeName(DynamoDbHistoryStore.SORT_KEY).attributeType(ScalarAttributeType.S))
                    .keySchema(
                            k -> k.attributeName(DynamoDbHistoryStore.PARTITION_KEY).keyType(KeyType.HASH),
                            k -> k.attributeName(DynamoDbHistoryStore.SORT_KEY).keyType(KeyType.RANGE)));
            dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table));
            dynamoDb.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
                    t -> t.enabled(true).attributeName(DynamoDbHistoryStore.TTL_ATTRIBUTE)));
            return true;
        }
    }
}

package dev.lockauditor.aws;

import dev.lockauditor.alert.AlertClaims;
import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.history.HistoryEvent;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Alert claims in the history table, on the alert's own history item: {@code alertStatus} {@code pending} with the
 * time its claim expires ({@code pendingUntil}), then {@code raised}. A conditional PutItem claims, so that of two
 * invocations finding the same alert only one publishes it.
 */
public record DynamoDbAlertClaims(DynamoDbClient dynamoDb, String table,
                                  DynamoDbHistoryStore items) implements AlertClaims {

    private static final String PENDING = "pending";
    private static final String RAISED = "raised";
    private static final String PARTITION_KEY = DynamoDbHistoryStore.PARTITION_KEY;

    @Override
    public Claim claim(HistoryEvent alert, Instant now, Instant pendingUntil) {
        Map<String, AttributeValue> item = items.item(alert);
        item.put(HistoryAttributes.ALERT_STATUS, AttributeValue.fromS(PENDING));
        item.put(HistoryAttributes.PENDING_UNTIL, AttributeValue.fromN(Long.toString(pendingUntil.toEpochMilli())));
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#p) OR (#s = :pending AND #u < :now)")
                    .expressionAttributeNames(Map.of("#p", PARTITION_KEY, "#s", HistoryAttributes.ALERT_STATUS,
                            "#u", HistoryAttributes.PENDING_UNTIL))
                    .expressionAttributeValues(Map.of(":pending", AttributeValue.fromS(PENDING),
                            ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli()))))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Claim.CLAIMED;
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> old = e.hasItem() ? e.item()
                    : dynamoDb.getItem(b -> b.tableName(table).key(DynamoDbHistoryStore.key(alert)).consistentRead(true)).item();
            AttributeValue status = old == null ? null : old.get(HistoryAttributes.ALERT_STATUS);
            return status != null && PENDING.equals(status.s()) ? Claim.IN_FLIGHT : Claim.RAISED;
        }
    }

    @Override
    public void markRaised(HistoryEvent alert) {
        dynamoDb.updateItem(b -> b.tableName(table).key(DynamoDbHistoryStore.key(alert))
                .updateExpression("SET #s = :raised REMOVE #u")
                .expressionAttributeNames(Map.of("#s", HistoryAttributes.ALERT_STATUS,
                        "#u", HistoryAttributes.PENDING_UNTIL))
                .expressionAttributeValues(Map.of(":raised", AttributeValue.fromS(RAISED))));
    }

    @Override
    public void release(HistoryEvent alert) {
        dynamoDb.deleteItem(b -> b.tableName(table).key(DynamoDbHistoryStore.key(alert)));
    }

}

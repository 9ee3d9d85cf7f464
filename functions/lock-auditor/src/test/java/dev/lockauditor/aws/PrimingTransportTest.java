package dev.lockauditor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

class PrimingTransportTest {

    /**
     * The sweep's scan starts with DescribeTable: primed with a bare answer, its first real answer loaded the readers of
     * every other part of a table's description during the first invocation. The primed answer has them all.
     */
    @Test
    void aTableDescribedWhilePrimingHasEveryPartARealDescriptionHas() {
        AwsClients aws = AwsClients.forTools(Map.of("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:9",
                "AWS_ACCESS_KEY_ID", "priming", "AWS_SECRET_ACCESS_KEY", "priming"));
        List<TableDescription> described = new ArrayList<>();
        PrimingTransport.offline(() -> {
            try {
                described.add(aws.dynamoDb().describeTable(b -> b.tableName("terraform-locks")).table());
            } catch (RuntimeException notFound) {
                // the second pass answers "not found"
            }
        });

        assertEquals(1, described.size());
        TableDescription table = described.get(0);
        assertEquals(0L, table.itemCount());
        assertEquals("LockID", table.keySchema().get(0).attributeName());
        assertEquals("LockID", table.attributeDefinitions().get(0).attributeName());
        assertNotNull(table.creationDateTime());
        assertNotNull(table.provisionedThroughput().numberOfDecreasesToday());
        assertNotNull(table.billingModeSummary().lastUpdateToPayPerRequestDateTime());
        assertTrue(table.streamSpecification().streamEnabled());
        assertNotNull(table.latestStreamArn());
        assertNotNull(table.tableClassSummary().tableClass());
        assertNotNull(table.sseDescription().status());
        assertNotNull(table.warmThroughput().readUnitsPerSecond());
    }
}

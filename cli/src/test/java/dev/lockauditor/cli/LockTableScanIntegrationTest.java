package dev.lockauditor.cli;

import dev.lockauditor.testsupport.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbLockTable;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The sweep's scan of a large lock table on moto: every item, in parallel segments, page by page. */
class LockTableScanIntegrationTest {

    @Test
    void aLargeTableIsScannedInParallelSegmentsAndEveryItemIsFound() {
        TerraformBackend backend = new TerraformBackend("large").createLockTable(null);
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String path = backend.lockPath("stack-" + i + "/terraform.tfstate");
            Map<String, AttributeValue> item = i % 3 == 0
                    ? Map.of("LockID", AttributeValue.fromS(path), "Info", AttributeValue.fromS(new LockInfo(
                            String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e%07d", i), "OperationTypeApply", "", "ci",
                            "1.11.2", "2025-03-14T09:26:53Z", path).toJson()))
                    : Map.of("LockID", AttributeValue.fromS(path + "-md5"),
                            "Digest", AttributeValue.fromS("ad37533d627aecda1ac35c00e2ee3a7f"));
            writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
            if (writes.size() == 25) {
                List<WriteRequest> batch = List.copyOf(writes);
                backend.dynamoDb.batchWriteItem(b -> b.requestItems(Map.of(backend.lockTable, batch)));
                writes.clear();
            }
        }
        List<ScanRequest> scans = new CopyOnWriteArrayList<>();
        AwsClients aws = AwsClients.forTools(MotoServer.environment()).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof ScanRequest scan) {
                    scans.add(scan);
                }
            }
        });

        List<LockTableItem> items = new DynamoDbLockTable(aws.dynamoDb(), backend.lockTable, "env:", 500).scan();

        assertEquals(3000, items.size());
        assertEquals(1000, items.stream().filter(item -> item instanceof LockTableItem.Lock).count());
        assertEquals(2000, items.stream().filter(item -> item instanceof LockTableItem.Digest).count());
        Set<Integer> segments = scans.stream().map(ScanRequest::segment).collect(Collectors.toSet());
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), segments, "3000 items at 500 a segment");
        assertTrue(scans.stream().allMatch(scan -> scan.totalSegments() == 6));
    }
}

package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.handler.Components;
import dev.lockauditor.terraform.LockInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Who made each change, on moto: CloudTrail's records (moto emits none, so they are made in the shape EventBridge
 * delivers, from the samples in events/) joined to the history the functions record, in the history table.
 */
class CallersIntegrationTest {

    static final String ALICE = "arn:aws:sts::123456789012:assumed-role/ops/alice";
    static final String CLI = "[aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/command#s3.cp]";
    static final String TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.11.2 (+https://www.terraform.io) aws-sdk-go-v2/1.32.6";

    static String state(long serial) {
        return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial
                + ",\n  \"lineage\": \"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\",\n  \"outputs\": {}\n}\n";
    }

    static Map<String, AttributeValue> item(FunctionsOnMoto stack, String key, String event) {
        return HistoryTable.read(AwsClients.forTools(MotoServer.environment()).dynamoDb(), stack.historyTable,
                stack.backend.lockPath(key)).stream().filter(i -> i.get("event").s().equals(event)).findFirst().orElseThrow();
    }

    /** A state written with no lock, and the object event S3 sends for it, seconds ago. */
    static String unlockedWrite(FunctionsOnMoto stack, String key, long serial) throws Exception {
        stack.backend.putState(key, state(serial));
        String written = stack.written(key);
        stack.clock.advance(Duration.ofSeconds(10));
        return written;
    }

    @Test
    void anUnlockedWriteByAnAssumedRoleThroughTheCliNamesTheRoleTheAddressAndTheCli() throws Exception {
        FunctionsOnMoto stack = new FunctionsOnMoto();
        Components components = stack.components();
        String written = unlockedWrite(stack, "env:/prod/app/terraform.tfstate", 3);

        assertEquals(1, stack.invokeStateEvents(components, stack.s3Record(written, ALICE, "203.0.113.15", CLI))
                .get("kept").asInt(), "its record first");
        stack.deliverStateEvent(components, written, 0);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), stack.alerts());
        Alert alert = stack.published.get(0);
        assertTrue(alert.summary().contains(ALICE + " from 203.0.113.15 using aws-cli 2.15.30"), alert.summary());
        Map<String, AttributeValue> item = item(stack, "env:/prod/app/terraform.tfstate", "STATE_WRITTEN");
        assertEquals(ALICE, item.get("principalArn").s());
        assertEquals("aws-cli 2.15.30", item.get("tool").s());
    }

    @Test
    void aRecordArrivingAMinuteAfterItsEventStillEnrichesTheHistory() throws Exception {
        FunctionsOnMoto stack = new FunctionsOnMoto();
        Components components = stack.components();
        String written = unlockedWrite(stack, "env:/staging/app/terraform.tfstate", 4);
        stack.deliverStateEvent(components, written, 0);
        assertEquals(List.of(AlertType.UNLOCKED_WRITE), stack.alerts());
        assertFalse(item(stack, "env:/staging/app/terraform.tfstate", "STATE_WRITTEN").containsKey("principalArn"));

        stack.clock.advance(Duration.ofMinutes(1));
        assertEquals(1, stack.invokeStateEvents(components, stack.s3Record(written, ALICE, "203.0.113.15", CLI))
                .get("joined").asInt());

        assertEquals(ALICE, item(stack, "env:/staging/app/terraform.tfstate", "STATE_WRITTEN").get("principalArn").s());
        assertEquals(List.of(AlertType.UNLOCKED_WRITE, AlertType.CALLER_IDENTIFIED), stack.alerts());
        assertTrue(stack.published.get(1).summary().contains(ALICE), stack.published.get(1).summary());
    }

    @Test
    void aForceUnlockByAnotherPrincipalIsLockForceReleasedNamingBoth() throws Exception {
        FunctionsOnMoto stack = new FunctionsOnMoto();
        Components components = stack.components();
        String key = "env:/prod/network/terraform.tfstate";
        String lockId = stack.backend.lockPath(key);
        LockInfo lock = stack.backend.lock(key, "OperationTypeApply", "ci@runner-7f9c");
        Instant taken = Instant.now();
        stack.catchUp(components);
        stack.deliverStateEvent(components, stack.itemRecord("PutItem", lockId, taken,
                "arn:aws:sts::123456789012:assumed-role/ci/runner-7f9c", "198.51.100.7", TERRAFORM), 0);
        stack.backend.unlock(key, lock.id());
        Instant released = Instant.now();
        stack.catchUp(components);
        stack.deliverStateEvent(components, stack.itemRecord("DeleteItem", lockId, released,
                "arn:aws:sts::123456789012:assumed-role/platform-admin/bob", "192.0.2.44", TERRAFORM), 0);

        assertEquals(List.of(AlertType.LOCK_FORCE_RELEASED), stack.alerts());
        String summary = stack.published.get(0).summary();
        assertTrue(summary.contains("assumed-role/platform-admin/bob from 192.0.2.44")
                && summary.contains("not by arn:aws:sts::123456789012:assumed-role/ci/runner-7f9c"), summary);
        assertTrue(item(stack, key, "LOCK_RELEASED").get("forced").bool(), "history marks the release as forced");
    }

    @Test
    void withEnrichmentOffNothingChangesAndNothingIsKept() throws Exception {
        FunctionsOnMoto stack = new FunctionsOnMoto();
        stack.callerEnrichment = "off";
        Components components = stack.components();
        String written = unlockedWrite(stack, "env:/prod/app/terraform.tfstate", 5);

        assertEquals(1, stack.invokeStateEvents(components, stack.s3Record(written, ALICE, "203.0.113.15", CLI))
                .get("skipped").asInt());
        stack.deliverStateEvent(components, written, 0);

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), stack.alerts());
        assertFalse(stack.published.get(0).summary().contains(ALICE));
        assertTrue(HistoryTable.read(AwsClients.forTools(MotoServer.environment()).dynamoDb(), stack.historyTable,
                "#callers").isEmpty());
    }
}

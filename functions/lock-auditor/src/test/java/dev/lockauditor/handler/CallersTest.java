package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.audit.StateFixtures;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Who made each change: CloudTrail's records (the samples in events/, as EventBridge delivers them) joined to the
 * history events they explain, whichever comes first, through the handlers as Lambda runs them.
 */
@EnabledIf("samplesPresent")
class CallersTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "env:/staging/network/terraform.tfstate";
    static final String LOCK_PATH = "acme-tfstate/network/terraform.tfstate";

    static boolean samplesPresent() {
        return CallersTest.class.getResource("/events/cloudtrail-s3-put-object.json") != null;
    }

    final TestComponents test = new TestComponents();
    final TestContext context = new TestContext();

    JsonNode state(String file) throws Exception {
        byte[] event;
        try (InputStream in = CallersTest.class.getResourceAsStream("/events/" + file)) {
            event = in.readAllBytes();
        }
        return SqsDelivery.invoke(new StateEventsHandler(test.components()), event, context);
    }

    void lock(String file) {
        DynamodbEvent event = EventLoader.loadDynamoDbEvent("events/" + file);
        assertTrue(new LockEventsHandler(test.components()).handleRequest(event, context).getBatchItemFailures().isEmpty());
    }

    List<AlertType> alerts() {
        return test.published.stream().map(Alert::type).toList();
    }

    HistoryEvent entry(String path, EventType type) {
        return test.history.history(path).stream().filter(e -> e.type() == type).findFirst().orElseThrow();
    }

    /** An unlocked write by an assumed role through the AWS CLI, its CloudTrail record in before its S3 event. */
    void unlockedWrite() {
        var object = test.backend.put(KEY, StateFixtures.terraformState(8, StateFixtures.LINEAGE),
                Instant.parse("2025-03-14T09:31:40Z"));
        test.backend.versions.put("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", object);  // the version the samples name
    }

    @Test
    void anUnlockedWriteWhoseRecordCameFirstNamesTheRoleTheAddressAndTheCli() throws Exception {
        unlockedWrite();
        assertEquals(1, state("cloudtrail-s3-put-object.json").get("kept").asInt());

        state("s3-state-written.json");

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alerts());
        Alert alert = test.published.get(0);
        assertTrue(alert.summary().contains("arn:aws:sts::123456789012:assumed-role/ops/alice from 203.0.113.15 "
                + "using aws-cli 2.15.30"), alert.summary());
        assertEquals("aws-cli 2.15.30", alert.facts().get("tool"));
        assertEquals("arn:aws:sts::123456789012:assumed-role/ops/alice", alert.facts().get("principalArn"));
        Facts.Caller caller = entry("acme-tfstate/" + KEY, EventType.STATE_WRITTEN).caller();
        assertEquals("arn:aws:sts::123456789012:assumed-role/ops/alice", caller.principalArn());
    }

    @Test
    void aRecordArrivingAfterItsEventEnrichesTheHistoryAndFollowsTheAlertUpOnce() throws Exception {
        unlockedWrite();
        state("s3-state-written.json");
        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alerts());
        assertFalse(test.published.get(0).summary().contains("alice"), "unknown when decided: not guessed");
        assertNull(entry("acme-tfstate/" + KEY, EventType.STATE_WRITTEN).caller());

        assertEquals(1, state("cloudtrail-s3-put-object.json").get("joined").asInt());
        state("cloudtrail-s3-put-object.json");

        assertEquals(List.of(AlertType.UNLOCKED_WRITE, AlertType.CALLER_IDENTIFIED), alerts());
        Alert followUp = test.published.get(1);
        assertTrue(followUp.summary().startsWith("The UNLOCKED_WRITE on acme-tfstate/" + KEY), followUp.summary());
        assertTrue(followUp.summary().contains("assumed-role/ops/alice from 203.0.113.15 using aws-cli 2.15.30"));
        assertEquals("aws-cli 2.15.30", entry("acme-tfstate/" + KEY, EventType.STATE_WRITTEN).caller().tool());
    }

    @Test
    void aForceUnlockByAnotherPrincipalIsLockForceReleasedNamingBothWhicheverCameFirst() throws Exception {
        lock("lock-acquired.json");
        assertEquals(1, state("cloudtrail-dynamodb-put-item.json").get("joined").asInt());
        assertEquals(1, state("cloudtrail-dynamodb-delete-item.json").get("kept").asInt(), "its release is not in yet");
        lock("lock-released.json");

        assertEquals(List.of(AlertType.LOCK_FORCE_RELEASED), alerts());
        Alert forced = test.published.get(0);
        assertTrue(forced.summary().contains("released after 4m by arn:aws:sts::123456789012:assumed-role/platform-admin/bob"
                + " from 192.0.2.44 using tofu 1.10.0, not by arn:aws:sts::123456789012:assumed-role/ci/runner-7f9c from "
                + "198.51.100.7 using terraform 1.11.2"), forced.summary());
        assertEquals("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", forced.lock().id());
        Facts.LockReleased released = (Facts.LockReleased) entry(LOCK_PATH, EventType.LOCK_RELEASED).facts();
        assertTrue(released.forced(), "history marks the release as forced");

        state("cloudtrail-dynamodb-delete-item.json");
        assertEquals(1, alerts().size(), "once");
    }

    @Test
    void aReleaseByTheHolderItselfIsNotForced() throws Exception {
        lock("lock-acquired.json");
        lock("lock-released.json");
        state("cloudtrail-dynamodb-put-item.json");
        String sameCaller = new String(CallersTest.class.getResourceAsStream("/events/cloudtrail-dynamodb-delete-item.json")
                .readAllBytes()).replace("assumed-role/platform-admin/bob", "assumed-role/ci/runner-7f9c")
                .replace("192.0.2.44", "198.51.100.7");
        SqsDelivery.invoke(new StateEventsHandler(test.components()), sameCaller.getBytes(), context);

        assertEquals(List.of(), alerts());
        assertEquals("arn:aws:sts::123456789012:assumed-role/ci/runner-7f9c",
                entry(LOCK_PATH, EventType.LOCK_RELEASED).caller().principalArn());
    }

    @Test
    void aLockRemovedByTheTablesTimeToLiveIsRecordedAsSuchAndAlerted() {
        lock("lock-acquired.json");
        lock("lock-removed-by-ttl.json");

        assertEquals(List.of(AlertType.LOCK_REMOVED_BY_TTL), alerts());
        assertTrue(test.published.get(0).remediation().contains("aws dynamodb update-time-to-live --table-name terraform-locks"));
        assertEquals(Facts.Caller.TABLE_TTL, entry(LOCK_PATH, EventType.LOCK_RELEASED).caller());
    }

    @Test
    void withEnrichmentOffARecordIsSkippedAndNothingIsKept() throws Exception {
        test.callerEnrichment = "off";
        unlockedWrite();

        assertEquals(1, state("cloudtrail-s3-put-object.json").get("skipped").asInt());
        state("s3-state-written.json");

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), alerts());
        assertTrue(test.bookkeeping.calledBetween("", "~").isEmpty());
        assertTrue(context.lines.stream().anyMatch(line -> line.contains("caller enrichment is off")), context.lines.toString());
    }

    @Test
    void everyCloudTrailSampleIsARecordTheAuditorFollows() throws Exception {
        for (String file : List.of("cloudtrail-s3-put-object.json", "cloudtrail-s3-copy-object.json",
                "cloudtrail-s3-complete-multipart-upload.json", "cloudtrail-s3-delete-object.json",
                "cloudtrail-dynamodb-put-item.json", "cloudtrail-dynamodb-delete-item.json")) {
            JsonNode response = state(file);
            assertEquals(0, response.get("skipped").asInt(), file + ": " + context.lines);
        }
        assertEquals(6, test.bookkeeping.calledBetween("", "~").size());
    }
}

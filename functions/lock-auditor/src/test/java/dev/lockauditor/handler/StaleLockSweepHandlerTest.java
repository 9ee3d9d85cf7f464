package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.terraform.LockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The sweep driven by the payloads its triggers send, handed over as bytes as the Lambda runtime hands a stream
 * handler its event: whatever the payload's shape, the sweep runs.
 */
@EnabledIf("samplesPresent")
class StaleLockSweepHandlerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PATH = "acme-tfstate/env:/staging/network/terraform.tfstate";

    static boolean samplesPresent() {
        return StaleLockSweepHandlerTest.class.getResource("/events/scheduled-sweep.json") != null;
    }

    final TestComponents test = new TestComponents();
    final TestContext context = new TestContext();

    JsonNode sweep(byte[] payload) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StaleLockSweepHandler(test.components()).handleRequest(new ByteArrayInputStream(payload), out, context);
        return JSON.readTree(out.toByteArray());
    }

    void lockHeldForTwoHours() {
        test.backend.locks.put(PATH, new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "",
                "ci@runner-7f9c", "1.11.2", test.time.instant().minus(Duration.ofHours(2)).toString(), PATH));
    }

    @Test
    void theSchedulersDefaultPayloadWithItsDetailAsAStringRunsTheSweep() throws Exception {
        lockHeldForTwoHours();
        byte[] payload = StaleLockSweepHandlerTest.class.getResourceAsStream("/events/scheduled-sweep.json").readAllBytes();
        assertTrue(JSON.readTree(payload).get("detail").isTextual(), "the sample carries detail as a string");

        JsonNode result = sweep(payload);

        assertEquals(1, result.get("staleLocks").asInt());
        assertEquals(1, result.get("alertsRaised").asInt());
        assertEquals(AlertType.STALE_LOCK, test.published.get(0).type());
        assertTrue(String.join("\n", context.lines).contains("sweep (aws.scheduler 49672d39-8c3a-4cc6-8de5-c57b0acf718f)"),
                String.join("\n", context.lines));
    }

    @Test
    void anEventBridgeRulesScheduledEventAndTheTemplatesOwnInputRunTheSweepToo() throws Exception {
        lockHeldForTwoHours();
        for (String file : new String[] {"scheduled-sweep-rule.json", "scheduled-sweep-input.json"}) {
            byte[] payload = StaleLockSweepHandlerTest.class.getResourceAsStream("/events/" + file).readAllBytes();
            assertEquals(1, sweep(payload).get("staleLocks").asInt(), file);
        }
        assertEquals(1, test.published.size(), "the second sweep does not alert the same lock again");
    }

    @Test
    void aPayloadThatIsNotJsonOrEmptyStillRunsTheSweep() throws Exception {
        for (String payload : new String[] {"", "not json", "[1, 2]", "\"{}\""}) {
            JsonNode result = sweep(payload.getBytes(StandardCharsets.UTF_8));
            assertEquals(0, result.get("locks").asInt(), payload);
        }
        assertTrue(String.join("\n", context.lines).contains("sweep (a payload that is not JSON)"), String.join("\n", context.lines));
    }

    @Test
    void afterDeployTheSweepBackfillsFromTheBucketsVersionsAndSaysSoOnce() throws Exception {
        test.bookkeeping.backfill(null);  // a stack just deployed
        for (int serial = 2; serial <= 3; serial++) {
            test.backend.put("env:/staging/network/terraform.tfstate", dev.lockauditor.audit.StateFixtures
                    .terraformState(serial, dev.lockauditor.audit.StateFixtures.LINEAGE),
                    test.time.instant().minus(Duration.ofDays(5 - serial)));
        }
        byte[] payload = StaleLockSweepHandlerTest.class.getResourceAsStream("/events/scheduled-sweep.json").readAllBytes();

        JsonNode first = sweep(payload);

        assertTrue(first.get("backfill").get("done").asBoolean(), first.toString());
        assertEquals(1, first.get("backfill").get("stateWrites").asInt(),
                "the older version; the current one is the sweep's own listing's, not written twice");
        assertEquals(List.of(AlertType.BACKFILL_COMPLETED), test.published.stream().map(Alert::type).toList());
        assertEquals("INFO", test.published.get(0).severity().name());
        assertTrue(test.metrics().contains("\"BackfillVersions\""), "counted in the sweep's metrics");

        JsonNode second = sweep(payload);
        assertFalse(second.has("backfill"), "done once per stack: " + second);
        assertEquals(1, test.published.size());
    }
}

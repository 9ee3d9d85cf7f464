package dev.lockauditor.alert;

import dev.lockauditor.audit.TestTime;
import dev.lockauditor.history.HistoryStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertDocumentTest {

    static final StatePath STATE = new StatePath("acme-tfstate/env:/staging/network/terraform.tfstate", "acme-tfstate",
            "env:/staging/network/terraform.tfstate", "staging");
    static final Alert.Identity IDENTITY = new Alert.Identity(Instant.parse("2025-03-14T09:31:40Z"), Source.STATE_OBJECT,
            "0062E99A88DC407460", "event-1");
    static final Instant DETECTED = Instant.parse("2025-03-14T09:32:41Z");

    final Alerts alerts = new Alerts("terraform-locks");

    @Test
    void theDocumentHasTheProductsFieldsInOrder() {
        Alert alert = alerts.digestMismatch(STATE, "8b1a9953c4611296a827abf8c47804d7", "ad37533d627aecda1ac35c00e2ee3a7f", Alerts.MismatchCause.CHANGED_OUTSIDE_TERRAFORM, null)
                .at(DETECTED, IDENTITY);

        JsonNode document = AlertDocument.of(alert, AlertDocument.Origin.of("production",
                "arn:aws:sns:eu-west-1:123456789012:alerts", "us-east-1", "terraform-locks"));

        List<String> names = new ArrayList<>();
        document.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("schemaVersion", "type", "severity", "environment", "account", "region", "statePath", "bucket",
                "key", "workspace", "expectedDigest", "actualDigest", "cause", "detectedAt", "summary", "remediation", "links"), names);
        assertEquals("https://eu-west-1.console.aws.amazon.com/s3/object/acme-tfstate?region=eu-west-1"
                + "&prefix=env%3A%2Fstaging%2Fnetwork%2Fterraform.tfstate", document.at("/links/stateObject").asText());
        assertTrue(document.at("/links/lockItem").asText().contains(
                "table=terraform-locks&itemMode=2&pk=acme-tfstate%2Fenv%3A%2Fstaging%2Fnetwork%2Fterraform.tfstate-md5"));
        assertEquals(1, document.get("schemaVersion").asInt());
        assertEquals("DIGEST_MISMATCH", document.get("type").asText());
        assertEquals("CRITICAL", document.get("severity").asText());
        assertEquals("123456789012", document.get("account").asText());
        assertEquals("eu-west-1", document.get("region").asText());
        assertEquals("staging", document.get("workspace").asText());
        assertEquals("2025-03-14T09:32:41Z", document.get("detectedAt").asText());
    }

    @Test
    void aLockIsGivenWithTerraformsFieldNames() {
        LockInfo lock = new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "", "ci@runner-7f9c",
                "1.11.2", "2025-03-14T09:26:53.589793238Z", STATE.path());
        Alert alert = new Alert(AlertType.STALE_LOCK, STATE, lock, Map.of("heldForSeconds", 7200L), DETECTED, "s", "r", IDENTITY);

        JsonNode document = AlertDocument.of(alert, AlertDocument.Origin.of("staging", null, "eu-west-1", ""));

        assertEquals("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", document.at("/lock/ID").asText());
        assertEquals("ci@runner-7f9c", document.at("/lock/Who").asText());
        assertEquals("2025-03-14T09:26:53.589793238Z", document.at("/lock/Created").asText());
        assertEquals(7200, document.get("heldForSeconds").asInt());
        assertEquals("", document.get("account").asText());
    }

    @Test
    void anAlertIsRaisedOncePerIdentityAndAgainIfPublishingFailed() {
        InMemoryHistoryStore history = new InMemoryHistoryStore();
        List<Alert> published = new ArrayList<>();
        boolean[] fail = {true};
        OnceAlerts once = new OnceAlerts(new InMemoryAlertClaims(history), alert -> {
            if (fail[0]) {
                throw new IllegalStateException("SNS is down");
            }
            published.add(alert);
        }, java.time.Clock.fixed(DETECTED, java.time.ZoneOffset.UTC));
        Alert alert = alerts.stateDeleted(STATE, new Writer("bob", null), false, null, IDENTITY.at(), null).at(DETECTED, IDENTITY);

        assertThrows(IllegalStateException.class, () -> once.raise(alert));
        assertTrue(history.all().isEmpty(), "taken back, so that a retry raises it");
        fail[0] = false;
        assertTrue(once.raise(alert));
        assertFalse(once.raise(alert));
        assertFalse(once.raise(alerts.stateDeleted(STATE, new Writer("bob", null), false, null, IDENTITY.at(), null)
                .at(DETECTED.plusSeconds(60), IDENTITY)), "found again later: the same alert");

        assertEquals(1, published.size());
        HistoryEvent entry = history.all().get(0);
        assertEquals(AlertType.STATE_DELETED.name(), entry.type().name());
        assertEquals("CRITICAL", entry.fields().get("severity"));
        assertTrue(entry.eventKey().endsWith("#STATE_DELETED"), entry.eventKey());
    }

    @Test
    void anAlertClaimedByAnInvocationThatCrashedBeforePublishingIsPublishedByTheRetryAfterItsClaimExpired() {
        InMemoryHistoryStore history = new InMemoryHistoryStore();
        List<Alert> published = new ArrayList<>();
        dev.lockauditor.audit.TestTime time = new dev.lockauditor.audit.TestTime(DETECTED);
        Alert alert = alerts.stateDeleted(STATE, new Writer("bob", null), false, null, IDENTITY.at(), null).at(DETECTED, IDENTITY);
        // The crashed invocation: it claimed the alert, and died before publishing it (a timeout, a hung SNS call).
        InMemoryAlertClaims claims = new InMemoryAlertClaims(history);
        assertEquals(AlertClaims.Claim.CLAIMED,
                claims.claim(alert.toHistoryEvent(), DETECTED, DETECTED.plus(OnceAlerts.CLAIM)));
        OnceAlerts retry = new OnceAlerts(claims, published::add, time);

        assertThrows(OnceAlerts.InFlight.class, () -> retry.raise(alert),
                "a retry within the claim fails, so that it comes back rather than skipping the alert");
        time.advance(OnceAlerts.CLAIM.plusSeconds(1));
        assertTrue(retry.raise(alert));
        assertFalse(retry.raise(alert));

        assertEquals(1, published.size());
    }
}

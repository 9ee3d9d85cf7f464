package dev.lockauditor.alert;

import dev.lockauditor.config.Environments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertMessagesTest {

    static final StatePath STATE = new StatePath("acme-tfstate/env:/staging/network/terraform.tfstate", "acme-tfstate",
            "env:/staging/network/terraform.tfstate", "staging");
    static final LockInfo LOCK = new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "",
            "ci@runner-7f9c", "1.11.2", "2025-03-14T09:26:53.589793238Z", STATE.path());
    static final AlertDocument.Origin ORIGIN = new AlertDocument.Origin(Environments.only("production"), "123456789012", "eu-west-1",
            "terraform-locks");

    static ObjectNode staleLock() {
        Alert alert = new Alerts("terraform-locks").staleLock(STATE, LOCK, 7386, Duration.ofMinutes(60), false)
                .at(Instant.parse("2025-03-14T11:30:00Z"), new Alert.Identity(Instant.parse("2025-03-14T09:26:53Z"), Source.LOCK, LOCK.id(), "sweep"));
        return AlertDocument.of(alert, ORIGIN);
    }

    @Test
    void theEmailSubjectIsShortAndSaysSeverityTypeEnvironmentAndState() {
        assertEquals("[WARNING] STALE_LOCK production acme-tfstate/env:/staging/network/terraform.tfstate",
                AlertMessages.subject(staleLock()));

        ObjectNode longPath = staleLock().put("statePath", "b/" + "very-long-directory/".repeat(10) + "terraform.tfstate");
        String subject = AlertMessages.subject(longPath);
        assertTrue(subject.length() < 100, subject);
        assertTrue(subject.chars().allMatch(c -> c >= 0x20 && c <= 0x7E));
    }

    @Test
    void theEmailSpeaksTerraformsWords() {
        String email = AlertMessages.email(staleLock());

        assertTrue(email.startsWith("STALE_LOCK (WARNING) in production\n\nStale lock on "), email);
        assertTrue(email.contains("Lock Info:\n"
                + "  ID:        9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\n"
                + "  Path:      acme-tfstate/env:/staging/network/terraform.tfstate\n"
                + "  Operation: OperationTypeApply\n"
                + "  Who:       ci@runner-7f9c\n"
                + "  Version:   1.11.2\n"
                + "  Created:   2025-03-14 09:26:53.589793238 +0000 UTC\n"), email);
        assertTrue(email.contains("What to do:\n  Every plan and apply"), email);
        assertTrue(email.contains("terraform force-unlock 9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382"), email);
        assertTrue(email.contains("  heldForSeconds: 7386\n"), email);
        assertTrue(email.contains("stateObject: https://eu-west-1.console.aws.amazon.com/s3/object/acme-tfstate"), email);
    }

    @Test
    void theChatbotNotificationHasTheCustomNotificationSchema() {
        JsonNode chatbot = AlertMessages.chatbot(staleLock());

        assertEquals(Set.of("version", "source", "content", "metadata"), Set.copyOf(names(chatbot)));
        assertEquals("1.0", chatbot.get("version").asText());
        assertEquals("custom", chatbot.get("source").asText());
        JsonNode content = chatbot.get("content");
        assertEquals("client-markdown", content.get("textType").asText());
        assertTrue(content.get("title").asText().contains("STALE_LOCK: acme-tfstate/env:/staging/network/terraform.tfstate"));
        assertTrue(content.get("description").asText().contains("`9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382`"));
        assertTrue(content.get("nextSteps").isArray());
        assertTrue(content.get("nextSteps").get(0).asText().contains("terraform force-unlock"));
        assertEquals(List.of("WARNING", "STALE_LOCK", "production"),
                List.of(content.get("keywords").get(0).asText(), content.get("keywords").get(1).asText(),
                        content.get("keywords").get(2).asText()));
        assertEquals(STATE.path(), chatbot.at("/metadata/threadId").asText());
        assertEquals("STALE_LOCK", chatbot.at("/metadata/eventType").asText());
    }

    @Test
    void theSlackMessageIsBlockKitWithATextFallback() {
        JsonNode slack = AlertMessages.slack(staleLock());

        assertTrue(slack.get("text").asText().startsWith("[WARNING] Stale lock on "));
        JsonNode blocks = slack.get("blocks");
        assertEquals(List.of("header", "section", "section", "section", "context"),
                List.of(blocks.get(0).get("type").asText(), blocks.get(1).get("type").asText(),
                        blocks.get(2).get("type").asText(), blocks.get(3).get("type").asText(),
                        blocks.get(4).get("type").asText()));
        assertEquals(":large_orange_diamond: STALE_LOCK (WARNING)", blocks.get(0).at("/text/text").asText());
        String fields = blocks.get(2).get("fields").toString();
        for (String expected : List.of("*State*", "*Workspace*\\nstaging", "*Who*\\nci@runner-7f9c",
                "*Operation*\\nOperationTypeApply", "*Lock ID*", "*Held for*\\n2h 3m")) {
            assertTrue(fields.contains(expected), expected + " in " + fields);
        }
        assertTrue(blocks.get(2).get("fields").size() <= 10);
        assertTrue(blocks.get(3).at("/text/text").asText().startsWith("*What to do*\n```Every plan"));
        String context = blocks.get(4).get("elements").toString();
        assertTrue(context.contains("*production* · account 123456789012 · eu-west-1"), context);
        assertTrue(context.contains("|stateObject>") && context.contains("|lockItem>"), context);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

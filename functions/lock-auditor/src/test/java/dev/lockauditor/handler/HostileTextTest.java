package dev.lockauditor.handler;

import dev.lockauditor.alert.SlackText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertMessages;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.HostileValues;
import dev.lockauditor.alert.PlainText;
import dev.lockauditor.alert.Severity;
import dev.lockauditor.audit.StateFixtures;
import dev.lockauditor.aws.SnsAlertPublisher;
import dev.lockauditor.config.Environments;
import dev.lockauditor.terraform.LockInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile text reaches nobody: each value of the shared corpus, put where whoever writes the backend can put it (a
 * lock's {@code Who} and {@code Operation}, a state's key), goes through the handlers that raise alerts and through
 * every channel an alert reaches people by (Slack as the notifier posts it, AWS Chatbot's custom notification, the
 * email text and subject, the SNS message itself), and each message is checked: no broadcast, no mention, no link the
 * auditor did not make, no control character or escape sequence, and still the state and the holder, readably.
 */
@EnabledIf("samplesPresent")
class HostileTextTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2025-03-14T09:20:00Z");
    static final AlertDocument.Origin ORIGIN = new AlertDocument.Origin(Environments.only("production"), "123456789012",
            "eu-west-1", "terraform-locks");
    /** The only links the auditor makes: to the AWS console. */
    static final Pattern OWN_LINK = Pattern.compile("<https://eu-west-1\\.console\\.aws\\.amazon\\.com/[^<>|\\s]*\\|[a-zA-Z]+>");

    static boolean samplesPresent() {
        return BucketDay.samplesPresent();
    }

    static Stream<HostileValues> corpus() {
        return HostileValues.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aLocksFieldsReachNobodyAsMarkupOrControl(HostileValues hostile) throws Exception {
        BucketDay day = new BucketDay(true);
        day.test.backend.locks.put(BucketDay.PATH, new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", hostile.value(),
                "", hostile.value(), "1.11.2", day.test.time.instant().minus(Duration.ofHours(2)).toString(),
                BucketDay.PATH));

        day.sweep();

        assertEquals(List.of(AlertType.STALE_LOCK), day.alerts());
        everyChannel(day.test.published.get(0), BucketDay.KEY, hostile);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aStatesKeyReachesNobodyAsMarkupOrControl(HostileValues hostile) throws Exception {
        BucketDay day = new BucketDay(false);
        String key = "hostile/" + hostile.asKeyPart() + "/terraform.tfstate";

        day.handle(day.write(key, StateFixtures.terraformState(3, StateFixtures.LINEAGE).getBytes(StandardCharsets.UTF_8),
                T0));

        assertEquals(List.of(AlertType.UNLOCKED_WRITE), day.alerts());
        everyChannel(day.test.published.get(0), key, hostile);
    }

    /** The alert through every channel, each message checked as the person reading it would meet it. */
    static void everyChannel(Alert alert, String key, HostileValues hostile) throws Exception {
        ObjectNode document = AlertDocument.of(alert, ORIGIN);
        String why = hostile.name();

        List<String> posted = new ArrayList<>();
        new SlackNotifierHandler(posted::add, Severity.INFO).handleRequest(snsEvent(document.toString()), new TestContext());
        assertEquals(1, posted.size(), why);
        JsonNode slack = JSON.readTree(posted.get(0));
        assertFalse(slack.path("unfurl_links").asBoolean(true), "no link previews");
        chatText(texts(slack), why);
        verbatim(slack, why);

        JsonNode chatbot = AlertMessages.chatbot(document);
        chatText(texts(chatbot.get("content")), why);
        chatText(List.of(chatbot.at("/metadata/summary").asText()), why);

        String email = AlertMessages.email(document);
        noControl(email.replace("\n", ""), "email: " + why);
        assertFalse(email.lines().anyMatch(line -> line.startsWith("line2") || line.startsWith("OVERWRITTEN")),
                "a value cannot start a line of its own: " + why);
        String subject = AlertMessages.subject(document);
        assertTrue(subject.length() < 100 && subject.chars().allMatch(c -> c >= 0x20 && c <= 0x7E), subject);

        String message = SnsAlertPublisher.message(document);
        assertTrue(message.getBytes(StandardCharsets.UTF_8).length < 256 * 1024,
                "SNS takes at most 256 KB: a longer message would be an alert lost (" + why + ")");

        String readableKey = PlainText.line(key).substring(0, Math.min(40, PlainText.line(key).length()));
        assertTrue(email.contains(readableKey.replace("\n", " ")), "the email names the state: " + why);
        assertTrue(posted.get(0).contains("hostile/") || posted.get(0).contains("network/terraform.tfstate"),
                "Slack names the state: " + why);
        if (alert.lock() != null) {
            String holder = dev.lockauditor.alert.SlackText.text(hostile.value());
            String start = holder.substring(0, Math.min(8, holder.length()));
            assertTrue(String.join("\n", texts(slack)).contains(start), "Slack names the holder, readably: " + why);
            assertTrue(email.contains(PlainText.line(hostile.value()).substring(0, Math.min(8,
                    PlainText.line(hostile.value()).length()))), "the email names the holder, readably: " + why);
        }
    }

    static SNSEvent snsEvent(String message) {
        SNSEvent.SNS sns = new SNSEvent.SNS().withMessageId("m-1").withMessage(message);
        return new SNSEvent().withRecords(List.of(new SNSEvent.SNSRecord().withSns(sns)));
    }

    /** Every text a chat client shows of a message (Block Kit texts, the fallback, a notification's fields). */
    static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isTextual()) {
            texts.add(node.asText());
        }
        node.forEach(child -> texts.addAll(texts(child)));
        return texts;
    }

    /** A mrkdwn text object is taken verbatim: Slack parses no mention, channel or URL of its own in it. */
    static void verbatim(JsonNode node, String why) {
        if (node.isObject() && "mrkdwn".equals(node.path("type").asText())) {
            assertTrue(node.path("verbatim").asBoolean(false), "mrkdwn verbatim: " + why);
        }
        node.forEach(child -> verbatim(child, why));
    }

    /**
     * What Slack (or Chatbot, in Slack) would act on in a text: its control sequences are all {@code <...>}, so every
     * {@code <} and {@code >} left must be the auditor's own console link; no URL may be left for Slack to link; no
     * control character or bidirectional control may reach the reader.
     */
    static void chatText(List<String> texts, String why) {
        for (String text : texts) {
            String rest = OWN_LINK.matcher(text).replaceAll("");
            assertFalse(rest.contains("<") || rest.contains(">"), "markup the auditor did not make (" + why + "): " + text);
            Matcher url = Pattern.compile("(?i)(https?|mailto|slack):").matcher(rest);
            assertFalse(url.find(), "a link the auditor did not make (" + why + "): " + text);
            assertFalse(rest.toLowerCase().contains("www."), "a bare link (" + why + "): " + text);
            noControl(text.replace("\n", ""), why);
        }
    }

    static void noControl(String text, String why) {
        text.chars().forEach(c -> {
            assertFalse(PlainText.isControl(c) || PlainText.isBidiControl(c),
                    String.format("U+%04X reaches the reader (%s)", c, why));
        });
    }
}

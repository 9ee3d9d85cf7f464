package dev.lockauditor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.terraform.LockInfo;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alert document written for each channel: an email subject and plain-text body, an AWS Chatbot custom
 * notification, and a Slack Block Kit message. Each is made from the document alone.
 */
public final class AlertMessages {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SHOWN = Set.of("schemaVersion", "type", "severity", "environment", "account",
            "region", "statePath", "bucket", "key", "workspace", "lock", "detectedAt", "summary", "remediation", "links");
    private static final Map<String, String> EMOJI = Map.of(
            "CRITICAL", ":rotating_light:", "HIGH", ":warning:", "WARNING", ":large_orange_diamond:", "INFO",
            ":information_source:");

    private AlertMessages() {
    }

    /** Under 100 characters, printable ASCII: severity, type, environment, state path. */
    public static String subject(JsonNode document) {
        String subject = "[" + text(document, "severity") + "] " + text(document, "type") + " "
                + text(document, "environment") + " " + text(document, "statePath");
        subject = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return subject.length() < 100 ? subject : subject.substring(0, 96) + "...";
    }

    /**
     * The email body: what happened, the facts, the lock as Terraform prints it, what to do, links. Every value from
     * the document is one line of plain text ({@link PlainText}): a value cannot start a line or carry a control.
     */
    public static String email(JsonNode document) {
        StringBuilder text = new StringBuilder();
        text.append(text(document, "type")).append(" (").append(text(document, "severity"))
                .append(") in ").append(text(document, "environment")).append("\n\n")
                .append(text(document, "summary")).append("\n\n");
        line(text, "State", text(document, "statePath"));
        line(text, "Workspace", text(document, "workspace"));
        line(text, "Account", text(document, "account") + " (" + text(document, "region") + ")");
        line(text, "Detected", text(document, "detectedAt"));
        JsonNode lock = document.path("lock");
        if (lock.isObject()) {
            text.append("\nLock Info:\n");
            for (String field : List.of("ID", "Path", "Operation", "Who", "Version")) {
                text.append(String.format("  %-10s %s%n", field + ":", text(lock, field)));
            }
            text.append(String.format("  %-10s %s%n", "Created:", PlainText.line(printedCreated(lock.path("Created").asText()))));
        }
        StringBuilder details = new StringBuilder();
        facts(document).forEachRemaining(fact -> details.append("  ").append(fact.getKey()).append(": ")
                .append(PlainText.line(value(fact.getValue()))).append('\n'));
        if (!details.isEmpty()) {
            text.append("\nDetails:\n").append(details);
        }
        text.append("\nWhat to do:\n  ").append(text(document, "remediation")).append('\n');
        JsonNode links = document.path("links");
        if (links.isObject() && !links.isEmpty()) {
            text.append("\nLinks:\n");
            links.fields().forEachRemaining(link ->
                    text.append("  ").append(link.getKey()).append(": ").append(link.getValue().asText()).append('\n'));
        }
        return text.toString();
    }

    /**
     * An AWS Chatbot custom notification, threaded per state. Chatbot renders its text as the chat's markdown, so every
     * value from the document is Slack text ({@link SlackText}).
     */
    public static ObjectNode chatbot(JsonNode document) {
        ObjectNode message = JSON.createObjectNode();
        message.put("version", "1.0");
        message.put("source", "custom");
        ObjectNode content = message.putObject("content");
        content.put("textType", "client-markdown");
        content.put("title", EMOJI.getOrDefault(document.path("severity").asText(), "") + " "
                + slack(document, "type") + ": " + slack(document, "statePath"));
        StringBuilder description = new StringBuilder(slack(document, "summary")).append("\n");
        description.append("*Environment:* ").append(slack(document, "environment"))
                .append("  *Workspace:* ").append(slack(document, "workspace")).append("\n");
        JsonNode lock = document.path("lock");
        if (lock.isObject()) {
            description.append("*Lock ID:* `").append(SlackText.code(lock.path("ID").asText())).append("`  *Who:* ")
                    .append(SlackText.text(Alerts.who(lock.path("Who").asText()))).append("  *Operation:* ")
                    .append(slack(lock, "Operation"));
        }
        content.put("description", description.toString().strip());
        content.putArray("nextSteps").add(slack(document, "remediation"));
        content.putArray("keywords").add(slack(document, "severity")).add(slack(document, "type"))
                .add(slack(document, "environment"));
        ObjectNode metadata = message.putObject("metadata");
        metadata.put("threadId", PlainText.line(document.path("statePath").asText()));
        metadata.put("summary", slack(document, "summary"));
        metadata.put("eventType", slack(document, "type"));
        ObjectNode context = metadata.putObject("additionalContext");
        context.put("account", slack(document, "account"));
        context.put("region", slack(document, "region"));
        context.put("severity", slack(document, "severity"));
        return message;
    }

    /**
     * A Slack Block Kit message, with a plain {@code text} fallback for notifications. Every value from the document
     * is Slack text ({@link SlackText}); mrkdwn is taken verbatim (no mention, channel or URL found in it is parsed),
     * and Slack fetches no preview of any link.
     */
    public static ObjectNode slack(JsonNode document) {
        ObjectNode message = JSON.createObjectNode();
        String severity = document.path("severity").asText();
        message.put("text", "[" + slack(document, "severity") + "] " + slack(document, "summary"));
        message.put("unfurl_links", false);
        message.put("unfurl_media", false);
        ArrayNode blocks = message.putArray("blocks");
        blocks.addObject().put("type", "header").putObject("text").put("type", "plain_text").put("emoji", true)
                .put("text", limit(EMOJI.getOrDefault(severity, "") + " " + PlainText.line(document.path("type").asText())
                        + " (" + PlainText.line(severity) + ")", 150));
        mrkdwn(blocks.addObject().put("type", "section").putObject("text"), limit(slack(document, "summary"), 3000));
        ArrayNode fields = JSON.createArrayNode();
        field(fields, "State", "`" + SlackText.code(document.path("statePath").asText()) + "`");
        field(fields, "Workspace", slack(document, "workspace"));
        JsonNode lock = document.path("lock");
        if (lock.isObject()) {
            field(fields, "Who", SlackText.text(Alerts.who(lock.path("Who").asText())));
            field(fields, "Operation", slack(lock, "Operation"));
            field(fields, "Lock ID", "`" + SlackText.code(lock.path("ID").asText()) + "`");
        }
        if (document.has("heldForSeconds")) {
            field(fields, "Held for", Alerts.duration(document.path("heldForSeconds").asLong()));
        }
        facts(document).forEachRemaining(fact -> {
            if (fields.size() < 10 && !fact.getKey().equals("heldForSeconds")) {
                field(fields, SlackText.text(fact.getKey()), SlackText.text(value(fact.getValue())));
            }
        });
        blocks.addObject().put("type", "section").set("fields", fields);
        mrkdwn(blocks.addObject().put("type", "section").putObject("text"),
                limit("*What to do*\n```" + SlackText.code(document.path("remediation").asText()) + "```", 3000));
        ArrayNode context = blocks.addObject().put("type", "context").putArray("elements");
        mrkdwn(context.addObject(), "*" + slack(document, "environment") + "* · account " + slack(document, "account")
                + " · " + slack(document, "region") + " · detected " + slack(document, "detectedAt"));
        JsonNode links = document.path("links");
        if (links.isObject() && !links.isEmpty()) {
            StringBuilder text = new StringBuilder();
            links.fields().forEachRemaining(link -> text.append(text.isEmpty() ? "" : " · ")
                    .append(SlackText.link(link.getValue().asText(), link.getKey())));
            mrkdwn(context.addObject(), text.toString());
        }
        return message;
    }

    /** A CloudWatch alarm's notification as one Slack line: its name, state and reason, all as text. */
    public static ObjectNode slackAlarm(JsonNode alarm) {
        ObjectNode message = JSON.createObjectNode();
        message.put("text", ":rotating_light: CloudWatch alarm *" + slack(alarm, "AlarmName") + "* is "
                + slack(alarm, "NewStateValue") + ": " + slack(alarm, "NewStateReason"));
        message.put("unfurl_links", false);
        message.put("unfurl_media", false);
        return message;
    }

    /** The document's type-specific facts, in order. */
    private static Iterator<Map.Entry<String, JsonNode>> facts(JsonNode document) {
        return document.properties().stream().filter(fact -> !SHOWN.contains(fact.getKey())).iterator();
    }

    private static void field(ArrayNode fields, String name, String value) {
        mrkdwn(fields.addObject(), limit("*" + name + "*\n" + value, 2000));
    }

    /** A mrkdwn text object, taken verbatim: Slack parses no mention, channel or URL in it. */
    private static void mrkdwn(ObjectNode object, String text) {
        object.put("type", "mrkdwn").put("text", text).put("verbatim", true);
    }

    /** A field of the document as one line of plain text. */
    private static String text(JsonNode node, String field) {
        return PlainText.line(node.path(field).asText());
    }

    /** A field of the document as Slack text. */
    private static String slack(JsonNode node, String field) {
        return SlackText.text(node.path(field).asText());
    }

    /** A fact's value as text: a scalar as it is, an object or a list as compact JSON. */
    private static String value(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static void line(StringBuilder text, String name, String value) {
        text.append(String.format("%-11s%s%n", name + ":", value));
    }

    private static String printedCreated(String created) {
        return LockInfo.printCreated(created);
    }

    private static String limit(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}

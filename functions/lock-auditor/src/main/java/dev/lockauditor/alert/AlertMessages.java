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
        String subject = "[" + document.path("severity").asText() + "] " + document.path("type").asText() + " "
                + document.path("environment").asText() + " " + document.path("statePath").asText();
        subject = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return subject.length() < 100 ? subject : subject.substring(0, 96) + "...";
    }

    /** The email body: what happened, the facts, the lock as Terraform prints it, what to do, links. */
    public static String email(JsonNode document) {
        StringBuilder text = new StringBuilder();
        text.append(document.path("type").asText()).append(" (").append(document.path("severity").asText())
                .append(") in ").append(document.path("environment").asText()).append("\n\n")
                .append(document.path("summary").asText()).append("\n\n");
        line(text, "State", document.path("statePath").asText());
        line(text, "Workspace", document.path("workspace").asText());
        line(text, "Account", document.path("account").asText() + " (" + document.path("region").asText() + ")");
        line(text, "Detected", document.path("detectedAt").asText());
        JsonNode lock = document.path("lock");
        if (lock.isObject()) {
            text.append("\nLock Info:\n");
            for (String field : List.of("ID", "Path", "Operation", "Who", "Version")) {
                text.append(String.format("  %-10s %s%n", field + ":", lock.path(field).asText()));
            }
            text.append(String.format("  %-10s %s%n", "Created:", printedCreated(lock.path("Created").asText())));
        }
        StringBuilder details = new StringBuilder();
        facts(document).forEachRemaining(fact ->
                details.append("  ").append(fact.getKey()).append(": ").append(fact.getValue().asText()).append('\n'));
        if (!details.isEmpty()) {
            text.append("\nDetails:\n").append(details);
        }
        text.append("\nWhat to do:\n  ").append(document.path("remediation").asText()).append('\n');
        JsonNode links = document.path("links");
        if (links.isObject() && !links.isEmpty()) {
            text.append("\nLinks:\n");
            links.fields().forEachRemaining(link ->
                    text.append("  ").append(link.getKey()).append(": ").append(link.getValue().asText()).append('\n'));
        }
        return text.toString();
    }

    /** An AWS Chatbot custom notification, threaded per state. */
    public static ObjectNode chatbot(JsonNode document) {
        ObjectNode message = JSON.createObjectNode();
        message.put("version", "1.0");
        message.put("source", "custom");
        ObjectNode content = message.putObject("content");
        content.put("textType", "client-markdown");
        content.put("title", EMOJI.getOrDefault(document.path("severity").asText(), "") + " "
                + document.path("type").asText() + ": " + document.path("statePath").asText());
        StringBuilder description = new StringBuilder(document.path("summary").asText()).append("\n");
        description.append("*Environment:* ").append(document.path("environment").asText())
                .append("  *Workspace:* ").append(document.path("workspace").asText()).append("\n");
        JsonNode lock = document.path("lock");
        if (lock.isObject()) {
            description.append("*Lock ID:* `").append(lock.path("ID").asText()).append("`  *Who:* ")
                    .append(Alerts.who(lock.path("Who").asText())).append("  *Operation:* ").append(lock.path("Operation").asText());
        }
        content.put("description", description.toString().strip());
        content.putArray("nextSteps").add(document.path("remediation").asText());
        content.putArray("keywords").add(document.path("severity").asText()).add(document.path("type").asText())
                .add(document.path("environment").asText());
        ObjectNode metadata = message.putObject("metadata");
        metadata.put("threadId", document.path("statePath").asText());
        metadata.put("summary", document.path("summary").asText());
        metadata.put("eventType", document.path("type").asText());
        ObjectNode context = metadata.putObject("additionalContext");
        context.put("account", document.path("account").asText());
        context.put("region", document.path("region").asText());
        context.put("severity", document.path("severity").asText());
        return message;
    }

    /** A Slack Block Kit message, with a plain {@code text} fallback for notifications. */
    public static ObjectNode slack(JsonNode document) {
        ObjectNode message = JSON.createObjectNode();
        String severity = document.path("severity").asText();
        message.put("text", "[" + severity + "] " + document.path("summary").asText());
        ArrayNode blocks = message.putArray("blocks");
        blocks.addObject().put("type", "header").putObject("text").put("type", "plain_text").put("emoji", true)
                .put("text", limit(EMOJI.getOrDefault(severity, "") + " " + document.path("type").asText() + " ("
                        + severity + ")", 150));
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                .put("text", limit(document.path("summary").asText(), 3000));
        ArrayNode fields = JSON.createArrayNode();
        field(fields, "State", "`" + document.path("statePath").asText() + "`");
        field(fields, "Workspace", document.path("workspace").asText());
        JsonNode lock = document.path("lock");
        if (lock.isObject()) {
            field(fields, "Who", Alerts.who(lock.path("Who").asText()));
            field(fields, "Operation", lock.path("Operation").asText());
            field(fields, "Lock ID", "`" + lock.path("ID").asText() + "`");
        }
        if (document.has("heldForSeconds")) {
            field(fields, "Held for", Alerts.duration(document.path("heldForSeconds").asLong()));
        }
        facts(document).forEachRemaining(fact -> {
            if (fields.size() < 10 && !fact.getKey().equals("heldForSeconds")) {
                field(fields, fact.getKey(), fact.getValue().asText());
            }
        });
        blocks.addObject().put("type", "section").set("fields", fields);
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                .put("text", limit("*What to do*\n```" + document.path("remediation").asText() + "```", 3000));
        ArrayNode context = blocks.addObject().put("type", "context").putArray("elements");
        context.addObject().put("type", "mrkdwn").put("text", "*" + document.path("environment").asText() + "* · account "
                + document.path("account").asText() + " · " + document.path("region").asText() + " · detected "
                + document.path("detectedAt").asText());
        JsonNode links = document.path("links");
        if (links.isObject() && !links.isEmpty()) {
            StringBuilder text = new StringBuilder();
            links.fields().forEachRemaining(link -> text.append(text.isEmpty() ? "" : " · ")
                    .append('<').append(link.getValue().asText()).append('|').append(link.getKey()).append('>'));
            context.addObject().put("type", "mrkdwn").put("text", text.toString());
        }
        return message;
    }

    /** The document's type-specific facts, in order. */
    private static Iterator<Map.Entry<String, JsonNode>> facts(JsonNode document) {
        return document.properties().stream().filter(fact -> !SHOWN.contains(fact.getKey())).iterator();
    }

    private static void field(ArrayNode fields, String name, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", limit("*" + name + "*\n" + value, 2000));
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

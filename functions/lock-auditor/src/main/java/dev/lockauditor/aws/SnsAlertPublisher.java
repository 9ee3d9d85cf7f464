package dev.lockauditor.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertMessages;
import dev.lockauditor.alert.AlertPublisher;
import dev.lockauditor.alert.PlainText;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Publishes each alert once to the alert topic, in a format per subscription protocol
 * ({@code MessageStructure: json}): the alert document for queues, functions and the default, a readable text
 * for email, an AWS Chatbot custom notification for HTTPS (Chatbot's protocol). Message attributes
 * {@code type}, {@code severity}, {@code environment} and {@code statePath} let subscriptions filter.
 */
public final class SnsAlertPublisher implements AlertPublisher {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<SnsClient> sns;
    private final String topicArn;
    private final AlertDocument.Origin origin;

    public SnsAlertPublisher(SnsClient sns, String topicArn, AlertDocument.Origin origin) {
        this(() -> sns, topicArn, origin);
    }

    /** @param sns the SNS client, built when the first alert is published */
    public SnsAlertPublisher(Supplier<SnsClient> sns, String topicArn, AlertDocument.Origin origin) {
        this.sns = sns;
        this.topicArn = topicArn;
        this.origin = origin;
    }

    @Override
    public void publish(Alert alert) {
        ObjectNode document = AlertDocument.of(alert, origin);
        sns.get().publish(b -> b.topicArn(topicArn)
                .messageStructure("json")
                .subject(AlertMessages.subject(document))
                .message(message(document))
                .messageAttributes(Map.of(
                        "type", text(alert.type().name()),
                        "severity", text(alert.severity().name()),
                        "environment", text(document.path("environment").asText()),
                        "statePath", text(alert.state().path()))));
    }

    /** The message published: a format per subscription protocol ({@code MessageStructure: json}). */
    public static String message(ObjectNode document) {
        String json = document.toString();
        return JSON.createObjectNode()
                .put("default", json)
                .put("sqs", json)
                .put("lambda", json)
                .put("email-json", json)
                .put("http", json)
                .put("email", AlertMessages.email(document))
                .put("https", AlertMessages.chatbot(document).toString())
                .put("sms", AlertMessages.subject(document))
                .toString();
    }

    /** An attribute's value: a key may hold characters SNS refuses in one, and filters never name them. */
    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(PlainText.line(value)).build();
    }
}

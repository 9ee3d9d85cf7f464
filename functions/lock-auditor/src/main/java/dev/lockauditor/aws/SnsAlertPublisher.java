package dev.lockauditor.aws;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertPublisher;
import java.util.Map;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Publishes alerts to the alert topic: the alert document as the message, and {@code type}, {@code severity},
 * {@code environment} and {@code statePath} as message attributes for subscription filter policies.
 */
public final class SnsAlertPublisher implements AlertPublisher {

    private final SnsClient sns;
    private final String topicArn;
    private final AlertDocument.Origin origin;

    public SnsAlertPublisher(SnsClient sns, String topicArn, AlertDocument.Origin origin) {
        this.sns = sns;
        this.topicArn = topicArn;
        this.origin = origin;
    }

    @Override
    public void publish(Alert alert) {
        String subject = (alert.severity() + " " + alert.type() + " " + origin.environment() + " " + alert.state().path());
        sns.publish(b -> b.topicArn(topicArn)
                .subject(subject.length() > 99 ? subject.substring(0, 96) + "..." : subject)
                .message(AlertDocument.of(alert, origin).toString())
                .messageAttributes(Map.of(
                        "type", text(alert.type().name()),
                        "severity", text(alert.severity().name()),
                        "environment", text(origin.environment()),
                        "statePath", text(alert.state().path()))));
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}

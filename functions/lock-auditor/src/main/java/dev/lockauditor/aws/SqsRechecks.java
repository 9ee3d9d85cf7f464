package dev.lockauditor.aws;

import dev.lockauditor.audit.Rechecks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Rechecks through the state events queue: the event sent again with a delivery delay (SQS allows up to 15 minutes;
 * a later time is reached in several steps), marked with how many times it has come back.
 */
public record SqsRechecks(SqsClient sqs, String queueUrl, Clock clock) implements Rechecks {

    /** The message attribute that marks an event brought back, and how many times it has been. */
    static final long MAX_DELAY_SECONDS = 900;

    @Override
    public void later(String document, Instant at, int attempt) {
        long millis = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        int delay = (int) Math.min(MAX_DELAY_SECONDS, (millis + 999) / 1000);
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(document).delaySeconds(delay)
                .messageAttributes(Map.of(ATTEMPT_ATTRIBUTE, MessageAttributeValue.builder().dataType("Number")
                        .stringValue(Integer.toString(attempt)).build())));
    }
}

package dev.lockauditor.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A document as an SQS-triggered function receives it: the body of one message of an SQS event, in the shape of the
 * AWS Lambda Developer Guide's example event ("Using Lambda with Amazon SQS").
 */
public final class SqsEnvelope {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SqsEnvelope() {
    }

    /** The event as it is when it is an SQS event already, else in an envelope. */
    public static byte[] ifBare(byte[] event, String region) {
        try {
            if ("aws:sqs".equals(JSON.readTree(event).path("Records").path(0).path("eventSource").asText())) {
                return event;
            }
        } catch (java.io.IOException notJson) {
            // a body that is not JSON is still a body
        }
        return around(event, region);
    }

    public static byte[] around(byte[] document, String region) {
        String body = new String(document, StandardCharsets.UTF_8);
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject()
                .put("messageId", UUID.randomUUID().toString())
                .put("receiptHandle", "local-" + UUID.randomUUID())
                .put("body", body);
        record.putObject("attributes").put("ApproximateReceiveCount", "1")
                .put("SentTimestamp", Long.toString(System.currentTimeMillis()))
                .put("SenderId", "AIDAIENQZJOLO23YVJ4VO")
                .put("ApproximateFirstReceiveTimestamp", Long.toString(System.currentTimeMillis()));
        record.putObject("messageAttributes");
        record.put("md5OfBody", md5(document))
                .put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:" + region + ":123456789012:local-queue")
                .put("awsRegion", region);
        try {
            return JSON.writeValueAsBytes(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

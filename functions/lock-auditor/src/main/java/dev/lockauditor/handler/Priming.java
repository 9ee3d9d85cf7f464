package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.lockauditor.metrics.Metrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** What SnapStart priming runs through the handlers: a lock taken and released, writing and printing nothing. */
final class Priming {

    static final Metrics METRICS = new Metrics(new PrintStream(OutputStream.nullOutputStream()), "priming",
            Clock.systemUTC());

    static final LambdaLogger LOGGER = new LambdaLogger() {
        @Override
        public void log(String message) {
        }

        @Override
        public void log(byte[] message) {
        }
    };

    private static final String PATH = "priming-bucket/env:/priming/terraform.tfstate";
    private static final String INFO = "{\"ID\":\"00000000-0000-0000-0000-000000000000\","
            + "\"Operation\":\"OperationTypeApply\",\"Info\":\"\",\"Who\":\"priming@snapstart\","
            + "\"Version\":\"1.11.2\",\"Created\":\"2025-03-14T09:26:53.589793238Z\",\"Path\":\"" + PATH + "\"}";

    private Priming() {
    }

    static List<DynamodbStreamRecord> records() {
        Map<String, AttributeValue> lock = Map.of(
                "LockID", new AttributeValue().withS(PATH), "Info", new AttributeValue().withS(INFO));
        Map<String, AttributeValue> digest = Map.of(
                "LockID", new AttributeValue().withS(PATH + "-md5"),
                "Digest", new AttributeValue().withS("ad37533d627aecda1ac35c00e2ee3a7f"));
        return List.of(record("INSERT", "1", null, lock), record("INSERT", "2", null, digest),
                record("REMOVE", "3", lock, null), record("INSERT", "4", null,
                        Map.of("LockID", new AttributeValue().withN("1"))));
    }

    private static DynamodbStreamRecord record(String name, String sequence, Map<String, AttributeValue> oldImage,
                                               Map<String, AttributeValue> newImage) {
        StreamRecord stream = new StreamRecord()
                .withApproximateCreationDateTime(new Date(1_741_944_413_000L))
                .withSequenceNumber(sequence)
                .withOldImage(oldImage)
                .withNewImage(newImage);
        DynamodbStreamRecord record = new DynamodbStreamRecord();
        record.setEventID("priming-" + sequence);
        record.setEventName(name);
        record.setDynamodb(stream);
        return record;
    }
}

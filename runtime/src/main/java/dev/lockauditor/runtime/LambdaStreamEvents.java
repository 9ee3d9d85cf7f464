package dev.lockauditor.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** Stream records as read with GetRecords, written as the JSON event Lambda's event source mapping delivers. */
public final class LambdaStreamEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaStreamEvents() {
    }

    public static String toEventJson(List<Record> records, String streamArn) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (Record record : records) {
            ObjectNode node = array.addObject()
                    .put("eventID", record.eventID())
                    .put("eventName", record.eventNameAsString())
                    .put("eventVersion", record.eventVersion())
                    .put("eventSource", record.eventSource())
                    .put("awsRegion", record.awsRegion());
            StreamRecord stream = record.dynamodb();
            ObjectNode dynamodb = node.putObject("dynamodb");
            if (stream.approximateCreationDateTime() != null) {
                // Lambda delivers whole epoch seconds.
                dynamodb.put("ApproximateCreationDateTime", stream.approximateCreationDateTime().getEpochSecond());
            }
            image(dynamodb, "Keys", stream.keys(), stream.hasKeys());
            image(dynamodb, "NewImage", stream.newImage(), stream.hasNewImage());
            image(dynamodb, "OldImage", stream.oldImage(), stream.hasOldImage());
            dynamodb.put("SequenceNumber", stream.sequenceNumber());
            if (stream.sizeBytes() != null) {
                dynamodb.put("SizeBytes", stream.sizeBytes());
            }
            dynamodb.put("StreamViewType", stream.streamViewTypeAsString());
            node.put("eventSourceARN", streamArn);
        }
        return event.toString();
    }

    private static void image(ObjectNode parent, String name, Map<String, AttributeValue> image, boolean present) {
        if (present) {
            ObjectNode node = parent.putObject(name);
            image.forEach((attribute, value) -> node.set(attribute, attributeValue(value)));
        }
    }

    private static ObjectNode attributeValue(AttributeValue value) {
        ObjectNode node = JSON.createObjectNode();
        switch (value.type()) {
            case S -> node.put("S", value.s());
            case N -> node.put("N", value.n());
            case B -> node.put("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case BOOL -> node.put("BOOL", value.bool());
            case NUL -> node.put("NULL", true);
            case SS -> value.ss().forEach(node.putArray("SS")::add);
            case NS -> value.ns().forEach(node.putArray("NS")::add);
            case BS -> {
                ArrayNode list = node.putArray("BS");
                value.bs().forEach(b -> list.add(Base64.getEncoder().encodeToString(b.asByteArray())));
            }
            case M -> {
                ObjectNode map = node.putObject("M");
                value.m().forEach((k, v) -> map.set(k, attributeValue(v)));
            }
            case L -> {
                ArrayNode list = node.putArray("L");
                value.l().forEach(v -> list.add(attributeValue(v)));
            }
            default -> {
                // A type this SDK does not know: an empty value, which the auditor treats as not a string.
            }
        }
        return node;
    }
}

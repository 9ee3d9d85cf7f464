package dev.lockauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.audit.ObjectEvent;
import dev.lockauditor.terraform.MalformedException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * S3 object events in the two shapes S3 sends them, turned into {@link ObjectEvent}s: EventBridge
 * "Object Created" / "Object Deleted" events, and classic notifications ({@code Records[].s3}, keys
 * URL-encoded with {@code +} for a space). The {@code s3:TestEvent} S3 sends when notifications are set up
 * yields nothing.
 */
final class ObjectEvents {

    private ObjectEvents() {
    }

    static List<ObjectEvent> parse(JsonNode document) throws MalformedException {
        if ("s3:TestEvent".equals(document.path("Event").asText())) {
            return List.of();
        }
        if (document.has("detail-type")) {
            return List.of(eventBridge(document));
        }
        JsonNode records = document.path("Records");
        if (records.isArray()) {
            List<ObjectEvent> events = new ArrayList<>();
            for (JsonNode record : records) {
                events.add(notification(record));
            }
            return events;
        }
        throw new MalformedException("neither an EventBridge event nor an S3 notification");
    }

    private static ObjectEvent eventBridge(JsonNode event) throws MalformedException {
        if (!"aws.s3".equals(event.path("source").asText())) {
            throw new MalformedException("an EventBridge event from " + event.path("source").asText() + ", not aws.s3");
        }
        String detailType = event.path("detail-type").asText();
        ObjectEvent.Kind kind = switch (detailType) {
            case "Object Created" -> ObjectEvent.Kind.CREATED;
            case "Object Deleted" -> ObjectEvent.Kind.DELETED;
            default -> throw new MalformedException("an S3 " + detailType + " event, not Object Created or Deleted");
        };
        JsonNode detail = event.path("detail");
        JsonNode object = detail.path("object");
        return new ObjectEvent(kind,
                required(detail.path("bucket").path("name"), "bucket name"),
                required(object.path("key"), "object key"),
                time(event.path("time")),
                text(object.path("sequencer")),
                text(event.path("id")),
                kind == ObjectEvent.Kind.CREATED && object.has("size") ? object.path("size").asLong() : null,
                text(object.path("etag")),
                text(object.path("version-id")),
                "Delete Marker Created".equals(detail.path("deletion-type").asText()),
                new Writer(text(detail.path("requester")), text(detail.path("source-ip-address"))),
                text(detail.path("reason")),
                text(detail.path("request-id")));
    }

    private static ObjectEvent notification(JsonNode record) throws MalformedException {
        if (!"aws:s3".equals(record.path("eventSource").asText())) {
            throw new MalformedException("a record from " + record.path("eventSource").asText() + ", not aws:s3");
        }
        String name = record.path("eventName").asText();
        ObjectEvent.Kind kind;
        if (name.startsWith("ObjectCreated:")) {
            kind = ObjectEvent.Kind.CREATED;
        } else if (name.startsWith("ObjectRemoved:")) {
            kind = ObjectEvent.Kind.DELETED;
        } else {
            throw new MalformedException("an S3 " + name + " event, not ObjectCreated or ObjectRemoved");
        }
        JsonNode s3 = record.path("s3");
        JsonNode object = s3.path("object");
        String requestId = text(record.path("responseElements").path("x-amz-request-id"));
        String sequencer = text(object.path("sequencer"));
        return new ObjectEvent(kind,
                required(s3.path("bucket").path("name"), "bucket name"),
                URLDecoder.decode(required(object.path("key"), "object key"), StandardCharsets.UTF_8),
                time(record.path("eventTime")),
                sequencer,
                requestId == null ? sequencer : requestId + "/" + sequencer,
                kind == ObjectEvent.Kind.CREATED && object.has("size") ? object.path("size").asLong() : null,
                text(object.path("eTag")),
                text(object.path("versionId")),
                name.equals("ObjectRemoved:DeleteMarkerCreated"),
                new Writer(text(record.path("userIdentity").path("principalId")),
                        text(record.path("requestParameters").path("sourceIPAddress"))),
                name.substring(name.indexOf(':') + 1),
                requestId);
    }

    private static Instant time(JsonNode node) throws MalformedException {
        String text = required(node, "event time");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                // S3 always writes UTC with a Z; some emulators leave the Z out.
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new MalformedException("event time is not an ISO 8601 time");
            }
        }
    }

    private static String required(JsonNode node, String what) throws MalformedException {
        String value = text(node);
        if (value == null || value.isEmpty()) {
            throw new MalformedException("no " + what);
        }
        return value;
    }

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : null;
    }
}

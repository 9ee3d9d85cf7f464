package dev.lockauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.terraform.MalformedException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
                EventFields.required(detail.path("bucket").path("name"), "bucket name"),
                EventFields.required(object.path("key"), "object key"),
                EventFields.time(event.path("time"), "event time"),
                EventFields.text(object.path("sequencer")),
                EventFields.text(event.path("id")),
                kind == ObjectEvent.Kind.CREATED && object.has("size") ? object.path("size").asLong() : null,
                EventFields.text(object.path("etag")),
                EventFields.text(object.path("version-id")),
                "Delete Marker Created".equals(detail.path("deletion-type").asText()),
                new Writer(EventFields.text(detail.path("requester")), EventFields.text(detail.path("source-ip-address"))),
                EventFields.text(detail.path("reason")),
                EventFields.text(detail.path("request-id")));
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
        String requestId = EventFields.text(record.path("responseElements").path("x-amz-request-id"));
        String sequencer = EventFields.text(object.path("sequencer"));
        return new ObjectEvent(kind,
                EventFields.required(s3.path("bucket").path("name"), "bucket name"),
                URLDecoder.decode(EventFields.required(object.path("key"), "object key"), StandardCharsets.UTF_8),
                EventFields.time(record.path("eventTime"), "event time"),
                sequencer,
                requestId == null ? sequencer : requestId + "/" + sequencer,
                kind == ObjectEvent.Kind.CREATED && object.has("size") ? object.path("size").asLong() : null,
                EventFields.text(object.path("eTag")),
                EventFields.text(object.path("versionId")),
                name.equals("ObjectRemoved:DeleteMarkerCreated"),
                new Writer(EventFields.text(record.path("userIdentity").path("principalId")),
                        EventFields.text(record.path("requestParameters").path("sourceIPAddress"))),
                name.substring(name.indexOf(':') + 1),
                requestId);
    }

}

package dev.lockauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.terraform.MalformedException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reading an AWS event's fields: a text is a value or nothing, a required one says which is missing. */
final class EventFields {

    private EventFields() {
    }

    static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    static String required(JsonNode node, String what) throws MalformedException {
        String value = text(node);
        if (value == null || value.isEmpty()) {
            throw new MalformedException("no " + what);
        }
        return value;
    }

    /** An ISO 8601 time; AWS always writes UTC with a Z, some emulators leave the Z out. */
    static Instant time(JsonNode node, String what) throws MalformedException {
        String text = required(node, what);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new MalformedException(what + " is not an ISO 8601 time");
            }
        }
    }
}

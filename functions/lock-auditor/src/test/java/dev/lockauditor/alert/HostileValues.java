package dev.lockauditor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared corpus of hostile values ({@code hostile-values.json}): what whoever can write the backend may put in a
 * key, a lock's fields or a user agent to reach a person through the auditor: Slack control sequences, HTML and
 * script, terminal escape sequences, line breaks, NUL, bidirectional overrides, a 64 KiB value, text that is not
 * ASCII, JSON-looking text.
 */
public record HostileValues(String name, String value) {

    public static List<HostileValues> all() {
        try (InputStream in = HostileValues.class.getResourceAsStream("/hostile-values.json")) {
            List<HostileValues> values = new ArrayList<>();
            for (JsonNode entry : new ObjectMapper().readTree(in)) {
                String value = entry.has("repeat") ? entry.get("repeat").asText().repeat(entry.get("times").asInt())
                        : entry.get("value").asText();
                values.add(new HostileValues(entry.get("name").asText(), value));
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value as an S3 key can hold it: at most 1,024 bytes of UTF-8 in all, so a little less of it. */
    public String asKeyPart() {
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < value.length() && part.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 900;
             i = value.offsetByCodePoints(i, 1)) {
            part.appendCodePoint(value.codePointAt(i));
        }
        return part.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}

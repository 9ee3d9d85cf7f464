package dev.lockauditor.terraform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The lock info JSON that Terraform and OpenTofu store in a lock item's {@code Info} attribute
 * and as the body of a {@code .tflock} object.
 *
 * @param id        lock id, 8-4-4-4-12 lowercase hex
 * @param operation what holds the lock, e.g. {@code OperationTypeApply} or {@code state-mv}
 * @param info      free text (always empty for the S3 backend)
 * @param who       {@code user@host}
 * @param version   Terraform or OpenTofu version
 * @param created   when the lock was taken, exactly as written
 * @param path      the lock path, {@code bucket/state key}
 */
public record LockInfo(String id, String operation, String info, String who, String version,
                       String created, String path) {

    static final List<String> FIELDS = List.of("ID", "Operation", "Info", "Who", "Version", "Created", "Path");
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter PRINTED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS");

    /** Parses lock info JSON; all seven fields must be present and be strings, other fields are ignored. */
    public static LockInfo parse(String json) throws MalformedException {
        String[] values = fields(json);
        LockInfo lock = new LockInfo(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
        if (!isLockId(lock.id)) {
            throw new MalformedException("lock info ID is not a lock id");
        }
        lock.createdInstant();
        return lock;
    }

    private static String[] fields(String json) throws MalformedException {
        String[] values = new String[FIELDS.size()];
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedException("lock info is not a JSON object");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                int field = fieldIndex(name);
                if (field >= 0) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new MalformedException("lock info field " + name + " is not a string");
                    }
                    values[field] = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new MalformedException("lock info is not a single JSON object");
            }
        } catch (IOException e) {
            throw new MalformedException("lock info is not valid JSON");
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new MalformedException("lock info has no " + FIELDS.get(i) + " field");
            }
        }
        return values;
    }

    private static int fieldIndex(String name) {
        return switch (name) {
            case "ID" -> 0;
            case "Operation" -> 1;
            case "Info" -> 2;
            case "Who" -> 3;
            case "Version" -> 4;
            case "Created" -> 5;
            case "Path" -> 6;
            default -> -1;
        };
    }

    /** 8-4-4-4-12 lowercase hex digits. */
    static boolean isLockId(String id) {
        if (id.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** {@code Created} as an instant: RFC 3339 with 0 to 9 fractional digits. */
    public Instant createdInstant() throws MalformedException {
        return parseCreated(created);
    }

    /** A {@code Created} value as an instant: RFC 3339 with 0 to 9 fractional digits. */
    public static Instant parseCreated(String created) throws MalformedException {
        try {
            return OffsetDateTime.parse(created, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedException("lock info Created is not an RFC 3339 time");
        }
    }

    /** Seconds the lock had been held at {@code at}; never negative. */
    public long heldForSeconds(Instant at) {
        try {
            return heldForSeconds(createdInstant(), at);
        } catch (MalformedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Seconds a lock taken at {@code taken} had been held at {@code at}, never negative (clocks differ): the one
     * definition of "held for" that history, alerts and reports use.
     */
    public static long heldForSeconds(Instant taken, Instant at) {
        return Math.max(0, Duration.between(taken, at).getSeconds());
    }

    /** {@code Created} as Terraform prints it in "Lock Info:", e.g. {@code 2025-03-14 09:26:53.589793238 +0000 UTC}. */
    public String createdAsPrinted() {
        return printCreated(created);
    }

    /** A {@code Created} value as Terraform prints it, or as it is when it is not a time. */
    public static String printCreated(String created) {
        try {
            String text = PRINTED.format(parseCreated(created).atOffset(ZoneOffset.UTC));
            text = text.replaceFirst("0+$", "").replaceFirst("\\.$", "");
            return text + " +0000 UTC";
        } catch (MalformedException e) {
            return created;
        }
    }

    /**
     * The compact JSON Terraform writes, keys in Terraform's order, escaped as Go's encoding/json escapes (written by
     * Jackson: {@code <}, {@code >} and {@code &} as backslash-u escapes, as Go writes them).
     */
    public String toJson() {
        java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator json = GO.createGenerator(out)) {
            json.writeStartObject();
            List<String> values = List.of(id, operation, info, who, version, created, path);
            for (int i = 0; i < FIELDS.size(); i++) {
                json.writeStringField(FIELDS.get(i), values.get(i));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /**
     * JSON as Go's encoding/json writes it: {@code \n}, {@code \r}, {@code \t}, {@code \"} and {@code \\} short,
     * every other control character, HTML's three characters and the line separators as lowercase backslash-u
     * escapes.
     */
    private static final JsonFactory GO = new JsonFactory();

    static {
        GO.setCharacterEscapes(new com.fasterxml.jackson.core.io.CharacterEscapes() {
            private final int[] ascii = standardAsciiEscapesForJSON();

            {
                for (int c = 0; c < 0x20; c++) {
                    if (c != '\n' && c != '\r' && c != '\t') {
                        ascii[c] = ESCAPE_CUSTOM;
                    }
                }
                ascii['<'] = ESCAPE_CUSTOM;
                ascii['>'] = ESCAPE_CUSTOM;
                ascii['&'] = ESCAPE_CUSTOM;
            }

            @Override
            public int[] getEscapeCodesForAscii() {
                return ascii;
            }

            @Override
            public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int c) {
                return c < 0x80 || c == 0x2028 || c == 0x2029
                        ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", c)) : null;
            }
        });
    }
}

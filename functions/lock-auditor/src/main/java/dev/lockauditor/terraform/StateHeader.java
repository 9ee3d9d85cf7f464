package dev.lockauditor.terraform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The header fields of a state file: {@code version}, {@code terraform_version}, {@code serial} and
 * {@code lineage}, which Terraform (indented) and OpenTofu (compact) write first. Nothing else of a state
 * is ever read: state files hold secrets.
 *
 * @param version          the state format version (4 today)
 * @param terraformVersion the Terraform or OpenTofu version that wrote it
 * @param serial           grows with every write of the same lineage
 * @param lineage          the state's identity, fixed when it was created
 * @param encrypted        OpenTofu state encryption: the content is unreadable; {@code serial} and {@code lineage} stay
 *                         readable at the top level (null when they lie beyond the bytes read), the rest is null
 */
public record StateHeader(Long version, String terraformVersion, Long serial, String lineage, boolean encrypted) {

    /** How many leading bytes of a state hold its header. */
    public static final int PREFIX_BYTES = 1024;

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * Reads the header from the first bytes of a state. The reasons it gives never quote the content.
     *
     * @throws MalformedException when the bytes are not the start of a Terraform or OpenTofu state
     */
    public static StateHeader parse(byte[] prefix) throws MalformedException {
        Long version = null;
        String terraformVersion = null;
        Long serial = null;
        String lineage = null;
        boolean encrypted = false;
        if (prefix.length == 0) {
            throw new MalformedException("the object is empty (zero bytes)");
        }
        try (JsonParser parser = JSON.createParser(prefix)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedException("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "version" -> version = number(parser, value, name);
                    case "terraform_version" -> terraformVersion = text(parser, value, name);
                    case "serial" -> serial = number(parser, value, name);
                    case "lineage" -> lineage = text(parser, value, name);
                    case "meta", "encrypted_data", "encryption_version" -> {
                        // OpenTofu state encryption: only serial and lineage are plain, at the top level.
                        encrypted = true;
                        parser.skipChildren();
                    }
                    default -> {
                        if (encrypted) {
                            parser.skipChildren();
                            continue;
                        }
                        // The header fields come first: whatever follows them is the state's content.
                        return complete(version, terraformVersion, serial, lineage);
                    }
                }
                if (encrypted && serial != null && lineage != null) {
                    return new StateHeader(null, null, serial, lineage, true);
                }
                if (!encrypted && version != null && terraformVersion != null && serial != null && lineage != null) {
                    return complete(version, terraformVersion, serial, lineage);
                }
            }
            return encrypted ? new StateHeader(null, null, serial, lineage, true)
                    : complete(version, terraformVersion, serial, lineage);
        } catch (IOException e) {
            if (encrypted) {
                // The encrypted data runs past the bytes read: what was read of the top level is what is known.
                return new StateHeader(null, null, serial, lineage, true);
            }
            // Jackson's messages quote the input; the state's bytes must not leave this method.
            throw new MalformedException("not a state: its first bytes are not a state header");
        }
    }

    private static StateHeader complete(Long version, String terraformVersion, Long serial, String lineage)
            throws MalformedException {
        if (version == null || serial == null || lineage == null) {
            throw new MalformedException("not a state: no version, serial and lineage at its start");
        }
        return new StateHeader(version, terraformVersion, serial, lineage, false);
    }

    private static Long number(JsonParser parser, JsonToken value, String name) throws IOException, MalformedException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new MalformedException("not a state: " + name + " is not a whole number");
        }
        return parser.getLongValue();
    }

    private static String text(JsonParser parser, JsonToken value, String name) throws IOException, MalformedException {
        if (value != JsonToken.VALUE_STRING) {
            throw new MalformedException("not a state: " + name + " is not a string");
        }
        return parser.getText();
    }
}

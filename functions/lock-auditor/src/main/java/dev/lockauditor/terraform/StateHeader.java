package dev.lockauditor.terraform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The header fields of a state file: {@code version}, {@code terraform_version}, {@code serial} and {@code lineage},
 * and whether the bytes are a state Terraform or OpenTofu would load at all. Nothing else of a state is ever kept:
 * state files hold secrets, so every other value is skipped as it is read, and no reason quotes the content.
 *
 * <p>Terraform (indented) and OpenTofu (compact) write the header fields first, so a state's first bytes normally
 * hold them. A state whose keys were reordered ({@code jq -S}, any JSON tool) is still a state to both tools (Go's
 * JSON decoder does not care about order): its header is then read from the whole object, as a stream, in constant
 * memory.
 *
 * @param version          the state format version (4 today)
 * @param terraformVersion the Terraform or OpenTofu version that wrote it
 * @param serial           grows with every write of the same lineage
 * @param lineage          the state's identity, fixed when it was created
 * @param encrypted        OpenTofu state encryption: the content is unreadable; {@code serial} and {@code lineage} stay
 *                         readable at the top level, the rest is null
 */
public record StateHeader(Long version, String terraformVersion, Long serial, String lineage, boolean encrypted) {

    /** How many leading bytes of an object are read first: a state's header is normally within them. */
    public static final int PREFIX_BYTES = 64 * 1024;

    /** The state format versions Terraform and OpenTofu read (1 to 3 are upgraded to 4 as they are read). */
    static final long OLDEST_VERSION = 1;
    static final long NEWEST_VERSION = 4;

    /**
     * Field names are not kept in a symbol table (a state's own keys, however many, cost no memory), and the stream
     * read is left open for its caller (who may read the rest of it, for an MD5).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(com.fasterxml.jackson.core.StreamReadFeature.AUTO_CLOSE_SOURCE).build();

    /** What reading an object's bytes found. */
    public sealed interface Reading {
    }

    /** A state, with its header. */
    public record Found(StateHeader header) implements Reading {
    }

    /** The first bytes hold no complete header, and the object goes on: it must be read through. */
    public record ReadOn() implements Reading {
    }

    /** Not a state Terraform or OpenTofu would load; the reason never quotes the content. */
    public record NotAState(String reason) implements Reading {
    }

    /**
     * The first bytes of an object.
     *
     * @param whole whether they are the whole object (then it is judged to its end: truncated, trailing content)
     */
    public static Reading ofStart(byte[] bytes, boolean whole) {
        try {
            return scan(new EndAware(new java.io.ByteArrayInputStream(bytes)), whole);
        } catch (IOException e) {
            throw new IllegalStateException("reading bytes in memory failed", e);
        }
    }

    /**
     * A whole object, read as a stream to its end in constant memory: every value but the header's is skipped
     * without being kept.
     *
     * @throws IOException when the stream itself fails (a connection reset): a fault, not an answer about the object
     */
    public static Reading of(InputStream object) throws IOException {
        return scan(new EndAware(object), true);
    }

    /** How many of an object's last bytes are read when its header was found in its first ones. */
    public static final int END_BYTES = 64;

    /**
     * The last bytes of an object whose first bytes hold a state's header: a state Terraform or OpenTofu would load
     * ends its JSON object there, with white space at most after the closing brace; one cut short does not (it could
     * only pass where the cut falls just after an inner object's brace).
     *
     * @return why it is not a state, or null when it ends as one
     */
    public static String endNotAState(byte[] last) {
        for (int i = last.length - 1; i >= 0; i--) {
            byte b = last[i];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '}' ? null : "truncated: its last bytes do not close its JSON object";
            }
        }
        return "truncated: its last bytes do not close its JSON object";
    }

    /**
     * A whole object's header, or why it is not a state.
     *
     * @throws MalformedException when the bytes are not a Terraform or OpenTofu state
     */
    public static StateHeader parse(byte[] whole) throws MalformedException {
        Reading reading = ofStart(whole, true);
        if (reading instanceof Found found) {
            return found.header();
        }
        throw new MalformedException(((NotAState) reading).reason());
    }

    private static Reading scan(EndAware input, boolean whole) throws IOException {
        Fields fields = new Fields();
        try (JsonParser parser = JSON.createParser(input)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new NotAState(parser.currentLocation().getByteOffset() <= 0 ? "empty (zero bytes): Terraform "
                        + "reads it as no state at all" : "no JSON in it, only white space");
            }
            if (first != JsonToken.START_OBJECT) {
                return new NotAState(first == JsonToken.START_ARRAY ? "a JSON array, not a state's JSON object"
                        : "a JSON value, not a state's JSON object");
            }
            fields.opened = true;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String wrong = fields.read(parser.currentName(), parser.nextToken(), parser);
                if (wrong != null) {
                    return new NotAState(wrong);
                }
                if (!whole && fields.complete()) {
                    return fields.verdict();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return new NotAState("more after the state's JSON object");
            }
            return fields.verdict();
        } catch (StreamReadException e) {
            // Jackson's messages quote the input; the state's bytes must not leave this method. Input that ends inside
            // a value (a number, a literal, a string) is cut short, not malformed.
            if (fields.opened && (e instanceof JsonEOFException || input.ended())) {
                return whole ? new NotAState("truncated: the JSON ends before its object is closed") : new ReadOn();
            }
            return new NotAState(fields.any() ? "not valid JSON past its first fields" : "not JSON");
        }
    }

    /** A stream that says whether it was read to its end. */
    private static final class EndAware extends java.io.FilterInputStream {
        private boolean ended;

        EndAware(InputStream in) {
            super(in);
        }

        boolean ended() {
            return ended;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            ended |= n < 0;
            return n;
        }
    }

    /** The header fields met so far at the object's top level. */
    private static final class Fields {
        private Long version;
        private String terraformVersion;
        private Long serial;
        private String lineage;
        private boolean encrypted;
        private boolean any;
        /** Whether the object's opening brace was read. */
        private boolean opened;

        /** Takes one top-level field; returns why the object is not a state when the field says so. */
        String read(String name, JsonToken value, JsonParser parser) throws IOException {
            any = true;
            switch (name) {
                case "version" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT) {
                        return "its version is not a whole number";
                    }
                    version = parser.getLongValue();
                    if (version < OLDEST_VERSION || version > NEWEST_VERSION) {
                        return "state format version " + version + ", which neither Terraform nor OpenTofu reads";
                    }
                }
                case "terraform_version" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return "its terraform_version is not a string";
                    }
                    terraformVersion = parser.getText();
                }
                case "serial" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0) {
                        return "its serial is not a whole number";
                    }
                    serial = parser.getLongValue();
                }
                case "lineage" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return "its lineage is not a string";
                    }
                    lineage = parser.getText();
                }
                case "meta", "encrypted_data", "encryption_version" -> {
                    // OpenTofu state encryption: only serial and lineage are plain, at the top level.
                    encrypted = true;
                    parser.skipChildren();
                }
                default -> parser.skipChildren();
            }
            return null;
        }

        boolean any() {
            return any;
        }

        /** Whether nothing the rest of the object may say would change the header. */
        boolean complete() {
            return serial != null && lineage != null
                    && (encrypted || version != null && terraformVersion != null);
        }

        Reading verdict() {
            if (encrypted) {
                return serial != null && lineage != null
                        ? new Found(new StateHeader(null, null, serial, lineage, true))
                        : new NotAState("an encrypted OpenTofu state without its plain serial and lineage");
            }
            if (version == null) {
                return new NotAState(any ? "JSON without a state's version field" : "an empty JSON object");
            }
            if (serial == null || lineage == null) {
                return new NotAState("JSON without a state's serial and lineage");
            }
            return new Found(new StateHeader(version, terraformVersion, serial, lineage, false));
        }
    }
}

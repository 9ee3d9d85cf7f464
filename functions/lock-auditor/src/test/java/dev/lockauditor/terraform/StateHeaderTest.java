package dev.lockauditor.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.audit.StateFixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StateHeaderTest {

    /** An object's reading as the auditor reads it: its first bytes, then, when they do not settle it, all of it. */
    static StateHeader.Reading read(String object) throws IOException {
        byte[] bytes = object.getBytes(StandardCharsets.UTF_8);
        boolean whole = bytes.length <= StateHeader.PREFIX_BYTES;
        StateHeader.Reading start = StateHeader.ofStart(Arrays.copyOf(bytes, Math.min(bytes.length,
                StateHeader.PREFIX_BYTES)), whole);
        return start instanceof StateHeader.ReadOn ? StateHeader.of(new ByteArrayInputStream(bytes)) : start;
    }

    static StateHeader header(String object) throws IOException {
        return assertInstanceOf(StateHeader.Found.class, read(object)).header();
    }

    static String reason(String object) throws IOException {
        return assertInstanceOf(StateHeader.NotAState.class, read(object)).reason();
    }

    @Test
    void readsTerraformsIndentedHeader() throws Exception {
        assertEquals(new StateHeader(4L, "1.11.2", 7L, StateFixtures.LINEAGE, false),
                header(StateFixtures.terraformState(7, StateFixtures.LINEAGE)));
    }

    @Test
    void readsOpenTofusCompactHeader() throws Exception {
        assertEquals(new StateHeader(4L, "1.8.3", 3L, StateFixtures.LINEAGE, false),
                header(StateFixtures.openTofuState(3, StateFixtures.LINEAGE)));
    }

    @Test
    void recognisesOpenTofuStateEncryption() throws Exception {
        StateHeader header = header(StateFixtures.encryptedState());

        assertTrue(header.encrypted());
        assertEquals(3L, header.serial(), "serial and lineage stay plain");
        assertEquals(StateFixtures.LINEAGE, header.lineage());
        assertEquals(null, header.version());
    }

    @Test
    void aCanonicalStateIsSettledByItsFirstBytesHoweverLargeItIs() {
        String state = StateFixtures.terraformState(42, StateFixtures.LINEAGE).replace("\"resources\": []",
                "\"resources\": [\"" + "x".repeat(300_000) + "\"]");
        byte[] first = Arrays.copyOf(state.getBytes(StandardCharsets.UTF_8), StateHeader.PREFIX_BYTES);

        StateHeader.Reading reading = StateHeader.ofStart(first, false);

        assertEquals(42L, assertInstanceOf(StateHeader.Found.class, reading).header().serial());
    }

    @Test
    void aStateWithItsKeysSortedIsReadThroughToItsHeaderWhereverItIs() throws Exception {
        TreeMap<String, Object> sorted = new TreeMap<>(new ObjectMapper().readValue(
                StateFixtures.terraformState(9, StateFixtures.LINEAGE), java.util.Map.class));
        sorted.put("resources", java.util.List.of("y".repeat(100_000)));
        String jqDashS = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(sorted);
        assertTrue(jqDashS.indexOf("\"serial\"") > StateHeader.PREFIX_BYTES, "the header is past the first bytes");
        byte[] first = Arrays.copyOf(jqDashS.getBytes(StandardCharsets.UTF_8), StateHeader.PREFIX_BYTES);

        assertInstanceOf(StateHeader.ReadOn.class, StateHeader.ofStart(first, false), "the first bytes do not settle it");
        assertEquals(new StateHeader(4L, "1.11.2", 9L, StateFixtures.LINEAGE, false), header(jqDashS));
    }

    @Test
    void anEncryptedStatesSerialAndLineageAreReadWhereverTheyStandAtTheTopLevel() throws Exception {
        String after = "{\"meta\":{\"k\":\"v\"},\"encryption_version\":\"v0\",\"serial\":9,\"lineage\":\""
                + StateFixtures.LINEAGE + "\",\"encrypted_data\":\"" + "A".repeat(5_000) + "\"}";
        assertEquals(new StateHeader(null, null, 9L, StateFixtures.LINEAGE, true), header(after));

        String beyond = "{\"encrypted_data\":\"" + "A".repeat(100_000) + "\",\"encryption_version\":\"v0\","
                + "\"lineage\":\"" + StateFixtures.LINEAGE + "\",\"meta\":{},\"serial\":9}";
        assertEquals(new StateHeader(null, null, 9L, StateFixtures.LINEAGE, true), header(beyond),
                "sorted keys put serial after the encrypted data: read through to it");
    }

    @Test
    void aHugeObjectIsReadThroughInConstantMemory() throws Exception {
        long size = 300L * 1024 * 1024;
        InputStream huge = new InputStream() {
            final byte[] head = "{\"resources\":[\"".getBytes(StandardCharsets.UTF_8);
            final byte[] tail = ("\"],\"lineage\":\"" + StateFixtures.LINEAGE + "\",\"serial\":3,"
                    + "\"terraform_version\":\"1.11.2\",\"version\":4}").getBytes(StandardCharsets.UTF_8);
            long at;

            @Override
            public int read() {
                long i = at++;
                if (i < head.length) {
                    return head[(int) i];
                }
                if (i < size - tail.length) {
                    return 'x';
                }
                return i < size ? tail[(int) (i - (size - tail.length))] : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                int n = 0;
                for (int c; n < length && (c = read()) >= 0; n++) {
                    buffer[offset + n] = (byte) c;
                }
                return n == 0 ? -1 : n;
            }
        };
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();

        StateHeader.Reading reading = StateHeader.of(huge);

        assertEquals(3L, assertInstanceOf(StateHeader.Found.class, reading).header().serial());
        long grown = runtime.totalMemory() - runtime.freeMemory() - before;
        assertTrue(grown < 64L * 1024 * 1024, "a 300 MiB string skipped, not held: grew " + grown / 1024 / 1024 + " MiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "hello",
            "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
            "[1, 2]",
            "{}",
            "{\"outputs\": {}}",
            "{\"version\": 4, \"outputs\": {}}",
            "{\"version\": \"4\", \"serial\": 1, \"lineage\": \"x\"}",
            "{\"version\": 4, \"serial\": 1.5, \"lineage\": \"x\"}",
            "{\"version\": 4, \"serial\": -1, \"lineage\": \"x\"}",
            "{\"version\": 4, \"serial\": 1, \"lineage\": 7}",
            "{\"version\": 5, \"serial\": 1, \"lineage\": \"x\"}",
            "{\"version\": 4, \"terraform_version\": \"1.11.2\", \"serial\": 1, \"lineage\": \"x\", \"resources\": [",
            "{\"version\": 4, \"serial\": 1, \"lineage\": \"x\"} trailing",
            "",
            "   \n",
    })
    void rejectsWhatNeitherToolWouldLoad(String text) throws Exception {
        assertThrows(MalformedException.class, () -> StateHeader.parse(text.getBytes(StandardCharsets.UTF_8)));
        assertInstanceOf(StateHeader.NotAState.class, read(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"}\n", "}", "  }\r\n\t ", "\"check_results\": null\n}\n"})
    void anObjectsLastBytesCloseAState(String last) {
        assertEquals(null, StateHeader.endNotAState(last.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"type\": \"aws_iam_pol", "]\n", "}\n\u0000\u0000", "}\n<html>", "", "   \n"})
    void anObjectCutShortDoesNotCloseOne(String last) {
        assertEquals("truncated: its last bytes do not close its JSON object",
                StateHeader.endNotAState(last.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void saysWhyInWordsAPersonActsOn() throws Exception {
        assertEquals("empty (zero bytes): Terraform reads it as no state at all", reason(""));
        assertEquals("an empty JSON object", reason("{}"));
        assertEquals("not JSON", reason("<html>"));
        assertEquals("truncated: the JSON ends before its object is closed",
                reason(StateFixtures.terraformState(3, StateFixtures.LINEAGE).substring(0, 300)));
        assertEquals("state format version 5, which neither Terraform nor OpenTofu reads",
                reason("{\"version\": 5, \"serial\": 1, \"lineage\": \"x\"}"));
    }

    @Test
    void itsReasonsNeverQuoteTheContent() throws Exception {
        String secret = StateFixtures.SECRET;
        for (String text : new String[] {secret, "{\"" + secret + "\": 1}", "{\"version\": " + secret + "}",
                "{\"version\": 4, \"serial\": \"" + secret + "\"}", "{\"version\":4,\"serial\":1,\"lineage\":\"a\",\"x\":" + secret}) {
            MalformedException e = assertThrows(MalformedException.class,
                    () -> StateHeader.parse(text.getBytes(StandardCharsets.UTF_8)));
            assertFalse(e.getMessage().contains(secret), e.getMessage());
            assertEquals(null, e.getCause());
            assertFalse(reason(text).contains(secret));
        }
    }

    @Test
    void namesWhatWasFoundWithoutShowingIt() {
        assertEquals("an HTML page", ContentKind.of("<!DOCTYPE html><title>x</title>".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a JSON object", ContentKind.of("{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("nothing (zero bytes)", ContentKind.of(new byte[0]));
        assertEquals("a zip archive", ContentKind.of(new byte[] {0x50, 0x4B, 0x03, 0x04, 0, 0}));
        assertEquals("binary data", ContentKind.of(new byte[] {0, (byte) 0xFF, (byte) 0xFE, 7, 8}));
        assertEquals("text", ContentKind.of("hello".getBytes(StandardCharsets.UTF_8)));
    }
}

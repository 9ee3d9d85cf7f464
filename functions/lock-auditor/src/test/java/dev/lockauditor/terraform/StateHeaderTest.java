package dev.lockauditor.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.audit.StateFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StateHeaderTest {

    static StateHeader parse(String state) throws MalformedException {
        byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        return StateHeader.parse(Arrays.copyOf(bytes, Math.min(bytes.length, StateHeader.PREFIX_BYTES)));
    }

    @Test
    void readsTerraformsIndentedHeader() throws Exception {
        assertEquals(new StateHeader(4L, "1.11.2", 7L, StateFixtures.LINEAGE, false),
                parse(StateFixtures.terraformState(7, StateFixtures.LINEAGE)));
    }

    @Test
    void readsOpenTofusCompactHeader() throws Exception {
        assertEquals(new StateHeader(4L, "1.8.3", 3L, StateFixtures.LINEAGE, false),
                parse(StateFixtures.openTofuState(3, StateFixtures.LINEAGE)));
    }

    @Test
    void recognisesOpenTofuStateEncryption() throws Exception {
        StateHeader header = parse(StateFixtures.encryptedState());

        assertTrue(header.encrypted());
        assertEquals(3L, header.serial(), "serial and lineage stay plain");
        assertEquals(StateFixtures.LINEAGE, header.lineage());
        assertEquals(null, header.version());
    }

    @Test
    void anEncryptedStatesSerialAndLineageAreReadWhereverTheyStandAtTheTopLevel() throws Exception {
        String after = "{\"meta\":{\"k\":\"v\"},\"encryption_version\":\"v0\",\"serial\":9,\"lineage\":\""
                + StateFixtures.LINEAGE + "\",\"encrypted_data\":\"" + "A".repeat(5_000) + "\"}";
        assertEquals(new StateHeader(null, null, 9L, StateFixtures.LINEAGE, true), parse(after));

        String beyond = "{\"encrypted_data\":\"" + "A".repeat(5_000) + "\",\"serial\":9}";
        StateHeader cut = parse(beyond);
        assertTrue(cut.encrypted());
        assertEquals(null, cut.serial(), "what lies beyond the bytes read is unknown, not an error");
    }

    @Test
    void readsTheHeaderFromTheFirstBytesOfALargeState() throws Exception {
        String state = StateFixtures.terraformState(42, StateFixtures.LINEAGE).replace("\"resources\": []",
                "\"resources\": [\"" + "x".repeat(100_000) + "\"]");

        assertEquals(42L, parse(state).serial());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "hello",
            "[1, 2]",
            "{\"outputs\": {}}",
            "{\"version\": 4, \"outputs\": {}}",
            "{\"version\": \"4\", \"serial\": 1, \"lineage\": \"x\"}",
            "{\"version\": 4, \"serial\": 1.5, \"lineage\": \"x\"}",
            "{\"version\": 4, \"serial\": 1, \"lineage\": 7}",
            "",
    })
    void rejectsWhatIsNotAState(String text) {
        assertThrows(MalformedException.class, () -> StateHeader.parse(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void itsReasonsNeverQuoteTheContent() {
        String secret = StateFixtures.SECRET;
        for (String text : new String[] {secret, "{\"" + secret + "\": 1}", "{\"version\": " + secret + "}",
                "{\"version\": 4, \"serial\": \"" + secret + "\"}", "{\"version\":4,\"serial\":1,\"lineage\":\"a\",\"x\":" + secret}) {
            MalformedException e = assertThrows(MalformedException.class,
                    () -> StateHeader.parse(text.getBytes(StandardCharsets.UTF_8)));
            assertFalse(e.getMessage().contains(secret), e.getMessage());
            assertEquals(null, e.getCause());
        }
    }
}

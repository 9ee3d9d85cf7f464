package dev.lockauditor.runtime;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.PlainText;
import java.io.UncheckedIOException;

/**
 * JSON as {@code bin/lock-auditor} writes it (local's lines, audit and history with {@code --json}, the functions'
 * log lines): Jackson's escaping, which already writes C0 controls as backslash-u escapes, and besides it DEL, the C1
 * controls (a terminal may read U+009B as the start of an escape sequence) and the bidirectional controls, so that
 * JSON read on a terminal is as safe as the text.
 */
public final class CliJson {

    public static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new TerminalSafe());
    }

    private CliJson() {
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pretty(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class TerminalSafe extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        TerminalSafe() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int c) {
            return PlainText.isControl(c) || PlainText.isBidiControl(c)
                    ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", c)) : null;
        }
    }
}

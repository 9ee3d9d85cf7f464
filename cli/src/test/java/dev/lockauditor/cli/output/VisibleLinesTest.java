package dev.lockauditor.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A process's output as {@code invoke} copies it to a terminal. */
class VisibleLinesTest {

    final ByteArrayOutputStream shown = new ByteArrayOutputStream();
    final VisibleLines lines = new VisibleLines(new PrintStream(shown, true, StandardCharsets.UTF_8));

    String shown() {
        return shown.toString(StandardCharsets.UTF_8);
    }

    @Test
    void controlAndBidirectionalCharactersAreEscapedTabsAndTextKept() throws Exception {
        lines.write("a\u001b[31mred\u0007\tb\u009b2J \u202eevil é 状态\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("a\\u001b[31mred\\u0007\tb\\u009b2J \\u202eevil é 状态\\u000d\n", shown());
    }

    @Test
    void aJsonLogLineStaysTheJsonItWas() throws Exception {
        String key = "team/\u202e\u009b\u007f/terraform.tfstate";
        String line = "{\"message\":\"skipped created s3://b/" + key + "\",\"level\":\"WARN\"}\n";
        lines.write(line.getBytes(StandardCharsets.UTF_8));
        Map<?, ?> read = new ObjectMapper().readValue(shown(), Map.class);
        assertEquals("skipped created s3://b/" + key, read.get("message"));
    }

    @Test
    void aCharacterSplitAcrossWritesIsWholeAndALastLineWithoutLineFeedIsPrintedAtClose() throws Exception {
        byte[] bytes = "é状态 done".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            lines.write(new byte[] {b}, 0, 1);
        }
        assertEquals("", shown(), "nothing until the line ends");
        lines.close();
        assertEquals("é状态 done\n", shown());
    }

    @Test
    void outputWithoutLineFeedsIsPrintedInPieces() throws Exception {
        lines.write("x".repeat(VisibleLines.LONGEST * 2 + 10).getBytes(StandardCharsets.UTF_8));
        assertEquals(("x".repeat(VisibleLines.LONGEST) + "\n").repeat(2), shown());
        lines.close();
        assertEquals(("x".repeat(VisibleLines.LONGEST) + "\n").repeat(2) + "x".repeat(10) + "\n", shown());
    }
}

package dev.lockauditor.cli.output;

import dev.lockauditor.alert.PlainText;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Another process's output on its way to a terminal (a function's log lines, which may quote what the backend
 * holds): read as UTF-8 lines, and every control character but the tab (C0, DEL, C1) and every bidirectional control
 * printed as a backslash-u escape, so that no line can colour, move, clear, link, retitle or reorder what a person
 * reads. In a JSON log line, where such a character can only stand inside a string, the escape is the same character
 * written as JSON writes it: the line stays the JSON it was.
 */
public final class VisibleLines extends OutputStream {

    /** A longer line is printed in pieces of this many bytes, so that output without line feeds is not held. */
    static final int LONGEST = 64 * 1024;

    private final PrintStream to;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public VisibleLines(PrintStream to) {
        this.to = to;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            printLine();
        } else {
            line.write(b);
            if (line.size() >= LONGEST) {
                printLine();
            }
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            write(bytes[i]);
        }
    }

    /** Prints what is left of a last line without its line feed. */
    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            printLine();
        }
        to.flush();
    }

    private void printLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        StringBuilder shown = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\t' && (PlainText.isControl(c) || PlainText.isBidiControl(c))) {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        // As the bytes came (UTF-8), whatever charset the stream would encode characters in.
        byte[] bytes = shown.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        to.write(bytes, 0, bytes.length);
        to.flush();
    }
}

package dev.lockauditor.cli.output;

import dev.lockauditor.alert.PlainText;

/**
 * A value the backend holds (a key, a lock's {@code Who}, a user agent) as a terminal shows it: printable characters
 * as they are, and every control character (C0, DEL and C1: each ANSI or OSC escape sequence starts with one) and
 * bidirectional control as a visible escape (backslash-x1b, backslash-u202e), never sent to the terminal, so that a
 * value cannot colour, move, clear, link, retitle or reorder what a person reads.
 */
public final class TerminalText {

    private TerminalText() {
    }

    public static String visible(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        StringBuilder shown = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = PlainText.isControl(c);
            if (control || PlainText.isBidiControl(c)) {
                if (shown == null) {
                    shown = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                shown.append(control ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else if (shown != null) {
                shown.append(c);
            }
        }
        return shown == null ? text : shown.toString();
    }
}

package dev.lockauditor.alert;

/**
 * A value the backend holds (a key, a lock's {@code Who}, a user agent), chosen by whoever could write it, as plain
 * text on one line: for email and SNS subjects, and the start of every chat channel's text. Control characters (C0,
 * DEL, C1: escape sequences start with them) and Unicode's bidirectional controls (which reorder what a reader sees)
 * are removed, and a line break or tab becomes a space. A value longer than anyone reads is {@link #cut}.
 */
public final class PlainText {

    private PlainText() {
    }

    public static String line(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder text = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                text.append(' ');
            } else if (!isControl(c) && !isBidiControl(c)) {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** A value no longer than {@code longest} characters: the rest is cut, and counted. */
    public static String cut(String value, int longest) {
        if (value == null || value.length() <= longest) {
            return value;
        }
        return value.substring(0, longest) + "… (" + (value.length() - longest) + " more characters)";
    }

    /** C0, DEL and C1: what terminals and mail readers may act on rather than show. */
    public static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }

    /**
     * Unicode's bidirectional formatting controls (Bidi_Control): embeddings, overrides, isolates and marks, which let
     * a value display as something other than what it is ("Trojan Source").
     */
    public static boolean isBidiControl(int c) {
        return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}

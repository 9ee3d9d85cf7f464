package dev.lockauditor.report;

import dev.lockauditor.alert.PlainText;

/**
 * A value from the backend (a key, a lock's {@code Who}, an alert's summary naming them) as HTML text: data, never
 * markup. {@code & < > " '} are escaped, so that it is text in an element and in a quoted attribute alike, and control
 * characters and bidirectional controls are shown as visible escapes ({@code \u001b}), never acted on or hidden.
 */
public final class Html {

    private Html() {
    }

    /** The most characters of one value a cell shows; the rest is counted, not shown. */
    public static final int SHOWN = 160;

    /** A value as a table cell or a label shows it: as {@link #text}, cut at {@link #SHOWN} characters. */
    public static String cell(String value) {
        return text(PlainText.cut(value, SHOWN));
    }

    public static String text(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder html = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> html.append("&amp;");
                case '<' -> html.append("&lt;");
                case '>' -> html.append("&gt;");
                case '"' -> html.append("&quot;");
                case '\'' -> html.append("&#39;");
                default -> {
                    if (PlainText.isControl(c) || PlainText.isBidiControl(c)) {
                        html.append(String.format("\\u%04x", (int) c));
                    } else {
                        html.append(c);
                    }
                }
            }
        }
        return html.toString();
    }
}

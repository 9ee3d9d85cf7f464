package dev.lockauditor.alert;

import java.util.regex.Pattern;

/**
 * A value the backend holds as Slack mrkdwn, and as the markdown of AWS Chatbot's custom notifications (which Chatbot
 * passes on to Slack): plain text on one line ({@link PlainText}), then {@code &}, {@code <} and {@code >} escaped as
 * Slack documents ("Escaping text"), so that no {@code <!channel>}, {@code <@U…>} or {@code <https://…|…>} of the
 * value's is read as markup, and its URLs broken ({@code https[:]//}) so that Slack does not make them links. The
 * auditor's own links are made only by {@link #link}.
 */
public final class SlackText {

    private static final Pattern URL_SCHEME = Pattern.compile("(?i)\\b(https?|ftp|mailto|slack):(//)?");
    private static final Pattern WWW = Pattern.compile("(?i)\\bwww\\.");

    private SlackText() {
    }

    /** A value as text in mrkdwn, or in a {@code text} fallback. */
    public static String text(String value) {
        String plain = escape(PlainText.line(value));
        plain = URL_SCHEME.matcher(plain).replaceAll(match -> match.group(1) + "[:]" + (match.group(2) == null ? ""
                : "//"));
        return WWW.matcher(plain).replaceAll("www[.]");
    }

    /**
     * A value inside a code span or block: its backticks cannot close the span (Slack has no escape for them), so
     * they become a look-alike (U+02CB).
     */
    public static String code(String value) {
        return text(value).replace('`', 'ˋ');
    }

    /** One of the auditor's own links: a URL it made, and a label it chose. */
    public static String link(String url, String label) {
        return "<" + escape(url) + "|" + escape(label) + ">";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

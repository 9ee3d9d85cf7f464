package dev.lockauditor.terraform;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What kind of content an object's first bytes are, in a few words a person can act on ("an HTML page", "a zip
 * archive"), never the bytes themselves: what was written over a state is named, not shown.
 */
public final class ContentKind {

    private ContentKind() {
    }

    public static String of(byte[] first) {
        if (first.length == 0) {
            return "nothing (zero bytes)";
        }
        if (starts(first, 0x50, 0x4B, 0x03, 0x04)) {
            return "a zip archive";
        }
        if (starts(first, 0x1F, 0x8B)) {
            return "gzip-compressed data";
        }
        String text = new String(first, 0, Math.min(first.length, 512), StandardCharsets.UTF_8);
        // A multi-byte character cut by the 512-byte window is still text; undecodable bytes anywhere else are not.
        if (text.replaceFirst("\uFFFD{1,3}$", "").contains("\uFFFD")) {
            return "binary data";
        }
        String start = text.stripLeading().toLowerCase(Locale.ROOT);
        if (start.isEmpty()) {
            return "white space only";
        }
        if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
            return "an HTML page";
        }
        if (start.startsWith("<?xml") || start.startsWith("<")) {
            return "XML or markup";
        }
        if (start.startsWith("{")) {
            return "a JSON object";
        }
        if (start.startsWith("[")) {
            return "a JSON array";
        }
        if (start.chars().limit(256).anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
            return "binary data";
        }
        return "text";
    }

    private static boolean starts(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

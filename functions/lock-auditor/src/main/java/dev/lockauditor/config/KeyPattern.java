package dev.lockauditor.config;

import dev.lockauditor.terraform.StatePath;
import java.util.regex.Pattern;

/**
 * A pattern over a state, as the settings write them ({@code STALE_LOCK_OVERRIDES}, {@code ENVIRONMENTS}): a glob
 * where {@code *} is any characters and {@code ?} one, matched against the whole state key
 * ({@code env:/prod/network/terraform.tfstate}) or the whole lock path ({@code bucket/key}).
 */
public record KeyPattern(String text, Pattern glob) {

    public static KeyPattern of(String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new KeyPattern(text, Pattern.compile(regex.toString()));
    }

    public boolean matches(StatePath state) {
        return glob.matcher(state.key()).matches() || glob.matcher(state.path()).matches();
    }
}

package dev.lockauditor.alert;

import java.util.regex.Pattern;

/**
 * Words of the shell commands alerts give people to run. A value from the backend (a key, a bucket, a lock path) is
 * chosen by whoever could write it: quoted, it stays one argument, whatever it holds ({@code '}, {@code ;},
 * {@code $(...)}, a line break).
 */
public final class Shell {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private Shell() {
    }

    /** One argument for a POSIX shell: as it is when it holds nothing the shell reads, else in single quotes. */
    public static String quote(String value) {
        if (!value.isEmpty() && PLAIN.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}

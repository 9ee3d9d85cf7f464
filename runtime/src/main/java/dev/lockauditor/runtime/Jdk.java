package dev.lockauditor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK installed on this machine, to start a function's JVM with: its home and its feature version (17, 21, 25),
 * which decides the class archive it can use ({@link ClassArchive}).
 */
public record Jdk(Path home, int feature) {

    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    /** The JDK running this program. */
    public static Jdk current() {
        return new Jdk(Path.of(System.getProperty("java.home")), Runtime.version().feature());
    }

    /** The JDK at {@code home}, its version read from its {@code release} file. */
    public static Jdk at(Path home) {
        try {
            Matcher version = VERSION.matcher(Files.readString(home.resolve("release")));
            if (!version.find()) {
                throw new SetupException(home + "/release names no JAVA_VERSION");
            }
            return new Jdk(home, Integer.parseInt(version.group(1)));
        } catch (IOException e) {
            throw new SetupException("no JDK at " + home + ": " + e.getMessage());
        }
    }

    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    /** The Lambda runtime this JDK plays locally: {@code java25} for 25, {@code java21} for 21 and for 17 before it. */
    public String lambdaRuntime() {
        return feature >= 25 ? "java25" : "java21";
    }
}

package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line and the local runtime use the functions module through its public surface only: the facade in
 * {@code dev.lockauditor.api}, the value types it takes and returns ({@code terraform}, {@code history},
 * {@code alert}, {@code config}) and the AWS clients it is given ({@code aws.AwsClients}); never its rules, use
 * cases, adapters or handlers.
 */
class SurfaceTest {

    private static final Set<String> SURFACE = Set.of("api", "terraform", "history", "alert", "config",
            "aws.AwsClients");
    private static final Set<String> OWN = Set.of("cli", "runtime");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.lockauditor\\.([a-z]+)\\.([A-Za-z]+)");

    @Test
    void theCommandLineAndTheRuntimeReachTheFunctionsOnlyThroughTheirSurface() {
        List<String> beyond = new ArrayList<>();
        int references = 0;
        for (Path root : List.of(Path.of("src/main/java"), Path.of("../runtime/src/main/java"))) {
            for (Path file : javaFiles(root)) {
                Matcher reference = REFERENCE.matcher(read(file));
                while (reference.find()) {
                    String room = reference.group(1);
                    if (OWN.contains(room)) {
                        continue;
                    }
                    references++;
                    if (!SURFACE.contains(room) && !SURFACE.contains(room + "." + reference.group(2))) {
                        beyond.add(root.relativize(file) + ": " + reference.group());
                    }
                }
            }
        }
        assertTrue(references > 20, "the scan found the functions module's classes in use: " + references);
        assertEquals(List.of(), beyond, "references past the functions module's public surface");
    }

    private static List<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

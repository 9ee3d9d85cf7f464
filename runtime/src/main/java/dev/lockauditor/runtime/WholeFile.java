package dev.lockauditor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written whole beside where it goes, then moved there in one step: another run reading it meanwhile (a
 * launcher reading the kept template, a JVM loading a library or a jar) finds the old file or the new one, never part
 * of one. A write that fails leaves nothing behind.
 */
final class WholeFile {

    /** What writes the file's content. */
    interface Writing {
        void into(Path file) throws IOException;
    }

    private WholeFile() {
    }

    static void write(Path target, Writing writing) throws IOException {
        Files.createDirectories(target.getParent());
        Path written = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", "");
        try {
            writing.into(written);
            Files.move(written, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(written);
        }
    }
}

package dev.lockauditor.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A function's deployment package, built as {@code sam build} builds a Java Maven {@code CodeUri}
 * (aws-lambda-builders' JavaMavenWorkflow): the folder copied to a scratch folder, {@code mvn clean install},
 * {@code mvn dependency:copy-dependencies -DincludeScope=runtime -Dmdep.prependGroupId=true}, then
 * {@code target/classes} as the package's root and {@code target/dependency} as its {@code lib/}. Only the
 * tests are skipped: they ran in the project's own build.
 *
 * <p>Kept under {@code .aws-sam/local/} and built again when a file of the folder is newer than it.
 */
public final class FunctionPackage {

    private FunctionPackage() {
    }

    /** The package of {@code codeUri} (relative to {@code root}), built first if it is missing or stale. */
    public static Path of(Path root, String codeUri, PrintStream progress) {
        Path source = root.resolve(codeUri).normalize();
        if (!Files.isRegularFile(source.resolve("pom.xml"))) {
            throw new SetupException("CodeUri " + codeUri + " has no pom.xml");
        }
        Path out = root.resolve(".aws-sam").resolve("local").resolve(codeUri.replace('/', '-').replace("\\", "-"));
        Path stamp = out.resolve(".built");
        try {
            Files.createDirectories(out.getParent());
            try (FileChannel lockFile = FileChannel.open(out.getParent().resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                if (Files.exists(stamp) && newestSource(source).compareTo(Files.getLastModifiedTime(stamp)) <= 0) {
                    return out;
                }
                progress.println("lock-auditor: packaging " + codeUri + " as sam build does (mvn clean install, "
                        + "dependency:copy-dependencies)...");
                Path scratch = Files.createTempDirectory(out.getParent(), ".build-");
                try {
                    Path built = build(source, scratch);
                    delete(out);
                    Files.move(built, out, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    delete(scratch);
                }
                Files.writeString(stamp, "");
                return out;
            }
        } catch (IOException e) {
            throw new SetupException("cannot package " + codeUri + ": " + e.getMessage());
        }
    }

    /** Builds in {@code scratch}; returns the package folder, inside it. */
    private static Path build(Path source, Path scratch) throws IOException {
        Path copy = scratch.resolve(source.getFileName());
        copyTree(source, copy);
        mvn(copy, "clean", "install", "-DskipTests");
        mvn(copy, "dependency:copy-dependencies", "-DincludeScope=runtime", "-Dmdep.prependGroupId=true");
        Path artifact = scratch.resolve("artifact");
        copyTree(copy.resolve("target/classes"), artifact);
        Path dependencies = copy.resolve("target/dependency");
        if (Files.isDirectory(dependencies)) {
            copyTree(dependencies, artifact.resolve("lib"));
        }
        return artifact;
    }

    private static void mvn(Path folder, String... goals) throws IOException {
        List<String> command = new ArrayList<>(List.of("mvn", "-q", "-B", "-ntp"));
        command.addAll(List.of(goals));
        Path log = Files.createTempFile("sam-build", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new SetupException(String.join(" ", command) + " failed in " + folder + ":\n"
                        + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted while packaging " + folder);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static FileTime newestSource(Path source) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            return files.filter(f -> !f.startsWith(source.resolve("target")) && Files.isRegularFile(f))
                    .map(f -> {
                        try {
                            return Files.getLastModifiedTime(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .max(Comparator.naturalOrder()).orElse(FileTime.fromMillis(0));
        }
    }

    /** Copies a folder, leaving out its own {@code target} (build output is never part of the sources). */
    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(from.resolve("target"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}

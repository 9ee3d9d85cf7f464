package dev.lockauditor.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The classes a function's JVM loads, archived once per package, JDK and command line so that later starts map
 * them instead of loading them again, as Lambda's managed runtimes start theirs from a class archive: on JDK 25 and
 * later an AOT cache (JEP 483, 514, 515: classes loaded and linked, and method profiles), before it a dynamic
 * class-data sharing archive (JEP 350).
 *
 * <p>An archive serves only classes that the JVM's own class loaders load from jars: the runtime interface client loads
 * a function's classes with a class loader of its own (over the package folder and {@code lib/}), whose classes
 * the JVM must read and check from their jars again at every start, and whose lambdas it spins again. A JVM started
 * from an archive therefore has the package on its class path too ({@link #applicationClassPath}), as wrapper scripts
 * that give Lambda functions class-data sharing do: the client's loader asks its parent first and gets the
 * function's classes from there. The tests and {@code bin/bench}'s figures of each function start it as the managed
 * runtime does, without an archive and with the runtime's jars alone on the class path.
 *
 * <p>The first start records the archive while the function runs and ends normally; the archive is built then
 * (JDK 25 assembles the cache from the recorded configuration in a second step) and moved into place, next to the
 * package, named by a digest of the command line and dated after the package, so that a package built again, another
 * JDK or another class path records a new one. A start whose archive is unusable falls back to loading the classes.
 */
public final class ClassArchive {

    private final Jdk jdk;
    private final Path archive;
    private final Path recording;
    private final Path configuration;

    private ClassArchive(Jdk jdk, Path archive) {
        this.jdk = jdk;
        this.archive = archive;
        String temporary = archive.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime();
        this.recording = archive.resolveSibling(temporary);
        this.configuration = archive.resolveSibling(temporary + ".conf");
    }

    /**
     * The archive of the package run by {@code command} (the JVM's command line without archive flags), next to the
     * package folder.
     */
    static ClassArchive of(Jdk jdk, Path packageFolder, List<String> command) {
        String name = packageFolder.getFileName() + "." + digest(String.join("\0", command))
                + (jdk.feature() >= 25 ? ".aot" : ".jsa");
        return new ClassArchive(jdk, packageFolder.resolveSibling(name));
    }

    /**
     * The package on a class path: its classes in one jar beside the package folder (made again when older than the
     * package; an archive cannot take a folder of classes), then its {@code lib/} jars in name order.
     */
    static List<Path> applicationClassPath(Path packageFolder) {
        Path jar = classesJar(packageFolder);
        List<Path> classPath = new ArrayList<>();
        classPath.add(jar);
        try {
            if (!Files.isRegularFile(jar)
                    || Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(packageFolder)) < 0) {
                WholeFile.write(jar, written -> {
                    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(written));
                         Stream<Path> files = Files.walk(packageFolder)) {
                        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                            Path relative = packageFolder.relativize(file);
                            if (!relative.startsWith("lib")) {
                                out.putNextEntry(new JarEntry(relative.toString().replace(File.separatorChar, '/')));
                                Files.copy(file, out);
                                out.closeEntry();
                            }
                        }
                    }
                });
            }
            if (Files.isDirectory(packageFolder.resolve("lib"))) {  // a function without dependencies has none
                try (Stream<Path> jars = Files.list(packageFolder.resolve("lib"))) {
                    jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(classPath::add);
                }
            }
        } catch (IOException e) {
            throw new SetupException("cannot put the package " + packageFolder + " on a class path: " + e.getMessage());
        }
        return classPath;
    }

    /**
     * Whether this start records the archive: there is none yet, or it is older than the package or than the jar of
     * its classes (made again by another start since: the JVM would refuse the archive).
     */
    boolean records(Path packageFolder) {
        try {
            Path classes = classesJar(packageFolder);
            return !Files.isRegularFile(archive)
                    || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(packageFolder)) < 0
                    || Files.isRegularFile(classes)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(classes)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static Path classesJar(Path packageFolder) {
        return packageFolder.resolveSibling(packageFolder.getFileName() + ".classes.jar");
    }

    /** The JVM flags that use the archive, or record it. */
    List<String> flags(boolean records) {
        List<String> flags = new ArrayList<>();
        if (jdk.feature() >= 25) {
            flags.add("-Xlog:aot=off");
            flags.add("-Xlog:cds=off");
            if (records) {
                flags.add("-XX:AOTMode=record");
                flags.add("-XX:AOTConfiguration=" + configuration);
            } else {
                flags.add("-XX:AOTCache=" + archive);
            }
        } else {
            flags.add("-Xlog:cds=off");
            flags.add("-Xlog:cds+dynamic=off");
            flags.add(records ? "-XX:ArchiveClassesAtExit=" + recording : "-XX:SharedArchiveFile=" + archive);
        }
        return flags;
    }

    /**
     * After a recording JVM ended normally: builds the archive from what it recorded (JDK 25: {@code -XX:AOTMode=create}
     * with the same command line) and moves it into place. An archive that could not be made is left out; the next
     * start records again.
     */
    void finish(List<String> command, Path packageFolder) {
        try {
            if (jdk.feature() >= 25 && Files.isRegularFile(configuration)) {
                List<String> create = new ArrayList<>();
                create.add(command.get(0));
                create.addAll(List.of("-Xlog:aot=off", "-Xlog:cds=off", "-XX:AOTMode=create",
                        "-XX:AOTConfiguration=" + configuration, "-XX:AOTCache=" + recording));
                // The command's own flags and class path, without its entry point and handler.
                create.addAll(command.subList(1, command.size() - 2));
                Process process = new ProcessBuilder(create).directory(packageFolder.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                }
            }
            if (Files.isRegularFile(recording) && Files.size(recording) > 0) {
                Files.move(recording, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                removeOutdated(packageFolder);
            }
        } catch (IOException e) {
            // no archive this time: the next start records again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(recording);
                Files.deleteIfExists(configuration);
            } catch (IOException e) {
                // left behind in .aws-sam/local
            }
        }
    }

    /**
     * Removes the package's other archives that are older than the package (tens of megabytes each, for another JDK,
     * class path or function, or an earlier build), and what recordings cut short left of theirs: no start uses one
     * again, it would record anew.
     */
    private void removeOutdated(Path packageFolder) throws IOException {
        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(packageFolder);
        String name = java.util.regex.Pattern.quote(packageFolder.getFileName().toString())
                + "\\.[0-9a-f]{12}\\.(aot|jsa)(\\..+)?";
        try (Stream<Path> siblings = Files.list(packageFolder.getParent())) {
            for (Path other : siblings.filter(p -> p.getFileName().toString().matches(name) && !p.equals(archive))
                    .toList()) {
                if (Files.getLastModifiedTime(other).compareTo(built) < 0) {
                    Files.deleteIfExists(other);
                }
            }
        }
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.lockauditor.runtime;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One function's execution environment on this machine: a JVM of its own whose entry point is AWS's Lambda
 * runtime interface client ({@code com.amazonaws:aws-lambda-java-runtime-interface-client}), started as the
 * Java managed runtimes start it (their JVM flags, the runtime's jars on the class path, the package as the
 * working directory, from which the client loads the function's classes and {@code lib/}), with the handler and
 * environment the template gives the function and the variables Lambda defines, talking to a {@link RuntimeApi}.
 *
 * <p>With SnapStart the client runs the CRaC hooks as Lambda does before the first event: {@code beforeCheckpoint},
 * {@code restore/next}, then {@code afterRestore}. Only the snapshot itself is not taken.
 */
public final class LambdaProcess implements AutoCloseable {

    /**
     * The flags of the java21 managed runtime's command line (a public capture of it), less its class archive and the
     * tiered-compilation pair ({@link #TIERED_STOP_AT_C1}).
     */
    static final List<String> RUNTIME_FLAGS = List.of("-XX:+UseSerialGC", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac", "-XX:+ErrorFileToStderr");
    /**
     * Compilation stopped at C1: on every function of the Java runtimes before java25; from java25 on, only on those
     * without SnapStart, whose JIT compiles on the invocation path (AWS Lambda Developer Guide, "Customize Java runtime
     * startup behavior": with SnapStart or provisioned concurrency, java25 keeps the JVM's default).
     */
    static final List<String> TIERED_STOP_AT_C1 = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
    static final String ENTRY_POINT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** Where the managed runtime tells the client its native library is (the same capture). */
    static final String NATIVE_CLIENT_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final SamTemplate.Function function;
    private final RuntimeApi api;
    private final Process process;
    private final Duration init;
    private final Thread logCopy;
    /** The class archive this process records, with its command line; null when it records none. */
    private final ClassArchive recording;
    private final List<String> command;
    private final Path packageFolder;

    private LambdaProcess(SamTemplate.Function function, RuntimeApi api, Process process, Duration init, Thread logCopy,
                          ClassArchive recording, List<String> command, Path packageFolder) {
        this.function = function;
        this.api = api;
        this.process = process;
        this.init = init;
        this.logCopy = logCopy;
        this.recording = recording;
        this.command = command;
        this.packageFolder = packageFolder;
    }

    /** How a function's JVM is started: on which JDK, and whether from a class archive of its package. */
    public record Jvm(Jdk jdk, boolean archived) {
        /** The JDK running this program, without a class archive. */
        public static Jvm current() {
            return new Jvm(Jdk.current(), false);
        }
    }

    /** Starts the function in a JVM of the JDK running this program, without a class archive. */
    public static LambdaProcess start(SamTemplate.Function function, Path packageFolder, Map<String, String> settings,
                                      OutputStream logs) throws IOException, InterruptedException {
        return start(function, packageFolder, settings, logs, Jvm.current());
    }

    /**
     * Starts the function and waits until its init (with SnapStart, the checkpoint hooks too) is over.
     *
     * @param settings AWS settings for the function's clients ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL},
     *                 the access key it is given as Lambda gives SnapStart functions: container credentials)
     * @param logs     where the function's stdout and stderr (its log lines, its metrics) go; null to drop them
     */
    public static LambdaProcess start(SamTemplate.Function function, Path packageFolder, Map<String, String> settings,
                                      OutputStream logs, Jvm jvm) throws IOException, InterruptedException {
        String region = settings.getOrDefault("AWS_REGION", settings.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        String arn = "arn:aws:lambda:" + region + ":123456789012:function:" + function.name() + ":live";
        Map<String, String> credentials = new LinkedHashMap<>();
        if (settings.get("AWS_ACCESS_KEY_ID") != null && settings.get("AWS_SECRET_ACCESS_KEY") != null) {
            credentials.put("AccessKeyId", settings.get("AWS_ACCESS_KEY_ID"));
            credentials.put("SecretAccessKey", settings.get("AWS_SECRET_ACCESS_KEY"));
            if (settings.get("AWS_SESSION_TOKEN") != null) {
                credentials.put("Token", settings.get("AWS_SESSION_TOKEN"));
            }
        }
        RuntimeApi api = new RuntimeApi(arn, credentials);
        List<String> command = command(function, jvm.jdk(), nativeClient(packageFolder.getParent()),
                jvm.archived() ? ClassArchive.applicationClassPath(packageFolder) : List.of());
        ClassArchive archive = jvm.archived() ? ClassArchive.of(jvm.jdk(), packageFolder, command) : null;
        boolean records = archive != null && archive.records(packageFolder);
        List<String> started = new ArrayList<>(command);
        if (archive != null) {
            started.addAll(1, archive.flags(records));
        }
        ProcessBuilder builder = new ProcessBuilder(started).directory(packageFolder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logs == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(function.environment());
        environment.putAll(lambdaVariables(function, region, packageFolder, api));
        if (settings.get("AWS_ENDPOINT_URL") != null) {
            environment.put("AWS_ENDPOINT_URL", settings.get("AWS_ENDPOINT_URL"));
        }
        if (!credentials.isEmpty() && !function.snapStart()) {
            environment.put("AWS_ACCESS_KEY_ID", credentials.get("AccessKeyId"));
            environment.put("AWS_SECRET_ACCESS_KEY", credentials.get("SecretAccessKey"));
            if (credentials.containsKey("Token")) {
                environment.put("AWS_SESSION_TOKEN", credentials.get("Token"));
            }
        }
        long start = System.nanoTime();
        Process process = builder.start();
        Thread logCopy = logs == null ? null : copy(process.getInputStream(), logs);
        try {
            String initError = api.initDone().get(Math.max(30, function.timeoutSeconds()), TimeUnit.SECONDS);
            if (initError != null) {
                stop(process, api, Duration.ofSeconds(5));
                throw new SetupException(function.name() + " failed to start: " + initError);
            }
        } catch (ExecutionException | TimeoutException e) {
            stop(process, api, Duration.ofSeconds(5));
            throw new SetupException(function.name() + " did not start (its runtime never asked for an event"
                    + (process.isAlive() ? "" : "; it exited with " + process.exitValue()) + ")");
        }
        return new LambdaProcess(function, api, process, Duration.ofNanos(System.nanoTime() - start), logCopy,
                records ? archive : null, command, packageFolder);
    }

    /** Copies the function's output as it comes, until its process ends. */
    private static Thread copy(InputStream from, OutputStream to) {
        Thread thread = new Thread(() -> {
            try (from) {
                byte[] buffer = new byte[8192];
                for (int read; (read = from.read(buffer)) >= 0; ) {
                    synchronized (to) {
                        to.write(buffer, 0, read);
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "lambda-logs");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The JVM command line: the managed runtime's flags, a heap of 85 % of the memory size, the client's native library
     * (null: the client unpacks its own), the runtime's jars on the class path, then {@code application} (none as the
     * managed runtime starts it), the client as entry point.
     */
    public static List<String> command(SamTemplate.Function function, Jdk jdk, Path nativeClient, List<Path> application) {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.add("-XX:MaxHeapSize=" + function.memoryMb() * 1024L * 85 / 100 + "k");
        command.addAll(RUNTIME_FLAGS);
        if (!(function.snapStart() && jdk.lambdaRuntime().equals("java25"))) {
            command.addAll(TIERED_STOP_AT_C1);
        }
        if (nativeClient != null) {
            command.add("-D" + NATIVE_CLIENT_PROPERTY + "=" + nativeClient);
        }
        command.add("-classpath");
        command.add(String.join(File.pathSeparator,
                Stream.concat(runtimeJars().stream(), application.stream()).map(Path::toString).toList()));
        command.add(ENTRY_POINT);
        command.add(function.handler());
        return command;
    }

    /** The variables Lambda defines for every function (AWS Lambda Developer Guide, "Defined runtime environment variables"). */
    private static Map<String, String> lambdaVariables(SamTemplate.Function function, String region, Path packageFolder,
                                                       RuntimeApi api) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("_HANDLER", function.handler());
        variables.put("AWS_REGION", region);
        variables.put("AWS_DEFAULT_REGION", region);
        variables.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + function.runtime());
        variables.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        variables.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        variables.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        variables.put("AWS_LAMBDA_INITIALIZATION_TYPE", function.snapStart() ? "snap-start" : "on-demand");
        variables.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        variables.put("AWS_LAMBDA_LOG_STREAM_NAME", "local/[1]" + Long.toHexString(System.nanoTime()));
        variables.put("AWS_LAMBDA_RUNTIME_API", api.address());
        variables.put("LAMBDA_TASK_ROOT", packageFolder.toString());
        variables.put("LAMBDA_RUNTIME_DIR", packageFolder.toString());
        variables.put("TZ", ":UTC");
        variables.put("LANG", "en_US.UTF-8");
        variables.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        variables.put("AWS_LAMBDA_LOG_FORMAT", function.logFormat().toUpperCase());
        if (!function.logLevel().isEmpty()) {
            variables.put("AWS_LAMBDA_LOG_LEVEL", function.logLevel());
        }
        if (function.snapStart()) {
            variables.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", api.credentialsUri());
            variables.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", api.credentialsToken());
        }
        return variables;
    }

    /**
     * The client's native library for this machine, unpacked once from the client's jar into {@code folder}, as the
     * managed runtime keeps it unpacked in {@code /var/runtime/lib/jni}; without it the client unpacks the library to
     * one path in {@code /tmp} at every start, over the copy another function's JVM may be loading. Null on a machine
     * the jar has no library for (the client then finds its own, or says why not).
     */
    static Path nativeClient(Path folder) {
        // The client's jar has one library for glibc and one for musl (Alpine) on each architecture; given a path, the
        // client loads that one and tries no other.
        boolean musl = Files.exists(Path.of("/lib/ld-musl-x86_64.so.1"))
                || Files.exists(Path.of("/lib/ld-musl-aarch64.so.1"));
        String libc = musl ? "linux_musl" : "linux";
        String library = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "libaws-lambda-jni." + libc + "-x86_64.so";
            case "aarch64" -> "libaws-lambda-jni." + libc + "-aarch_64.so";
            default -> null;
        };
        if (library == null || !System.getProperty("os.name").equals("Linux")) {
            return null;
        }
        Path client = runtimeJars().stream()
                .filter(jar -> jar.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client-"))
                .findFirst().orElseThrow();
        String version = client.getFileName().toString().replaceFirst("\\.jar$", "");
        Path unpacked = folder.resolve("runtime").resolve(version).resolve(library);
        if (Files.isRegularFile(unpacked)) {
            return unpacked;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(client.toFile())) {
            java.util.jar.JarEntry entry = jar.getJarEntry("jni/" + library);
            if (entry == null) {
                return null;
            }
            WholeFile.write(unpacked, written -> {
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, written, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            });
            return unpacked;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The managed runtime's own jars (the client, {@code aws-lambda-java-core}, {@code aws-lambda-java-serialization},
     * the SDK's {@code utils-lite} the client keeps each invocation's trace id in),
     * found on this program's class path or in the {@code lib/} folder beside its jar.
     */
    static List<Path> runtimeJars() {
        List<Path> candidates = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            candidates.add(path);
            Path lib = path.getParent() == null ? null : path.getParent().resolve("lib");
            if (lib != null && Files.isDirectory(lib)) {
                try (Stream<Path> jars = Files.list(lib)) {
                    jars.forEach(candidates::add);
                } catch (IOException e) {
                    // not readable: not where the runtime's jars are
                }
            }
        }
        List<Path> jars = new ArrayList<>();
        // The client's own dependencies are named in its manifest's Class-Path by version (utils-lite among them);
        // a build that resolved another version of one has it under another name, so each is given here by name.
        for (String name : List.of("aws-lambda-java-core-", "aws-lambda-java-runtime-interface-client-",
                "aws-lambda-java-serialization-", "utils-lite-")) {
            jars.add(candidates.stream().filter(p -> p.getFileName().toString().startsWith(name)
                    && p.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new SetupException("the Lambda runtime's " + name + "*.jar is not on the "
                            + "class path")));
        }
        return jars;
    }

    public SamTemplate.Function function() {
        return function;
    }

    /** From starting the JVM to the runtime's first request for an event (with SnapStart: after the hooks ran). */
    public Duration init() {
        return init;
    }

    public boolean restored() {
        return api.restored();
    }

    /** One invocation, waited for up to the function's timeout. */
    public RuntimeApi.Invocation invoke(byte[] event) throws InterruptedException {
        return api.invoke(event, Duration.ofSeconds(function.timeoutSeconds()));
    }

    /**
     * Ends the function's JVM as Lambda ends an execution environment, at once; one that records its class archive is
     * let to end normally first, and the archive is built. Its last log lines are copied before this returns.
     */
    @Override
    public void close() {
        // A JVM that records its class archive writes it as it exits: it is let to exit, then the archive is built.
        stop(process, api, recording != null ? Duration.ofSeconds(60) : Duration.ZERO);
        if (recording != null) {
            recording.finish(command, packageFolder);
        }
        if (logCopy != null) {
            try {
                logCopy.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends the process: asked to exit and given {@code grace} to do so (none: killed at once), then the Runtime API. */
    private static void stop(Process process, RuntimeApi api, Duration grace) {
        try {
            if (!grace.isZero()) {
                process.destroy();
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        api.close();
    }
}

package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.runtime.LocalResources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.aws.AwsClients;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code bin/lock-auditor} as a user runs it: a separate process, the repository's sample events. */
class BinLockAuditorIntegrationTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    record Run(int status, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/lock-auditor").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().keySet().retainAll(Set.of("PATH", "HOME", "JAVA_HOME", "MAVEN_OPTS"));
        builder.environment().putAll(env);
        File err = File.createTempFile("lock-auditor", ".err");
        builder.redirectError(err);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        return new Run(process.exitValue(), out, java.nio.file.Files.readString(err.toPath()));
    }

    @Test
    void invokeRunsTheHandlerOnASampleEventAndPrintsItsResponse() throws Exception {
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", "invoke-history");
        DynamoDbClient dynamoDb = AwsClients.forTools(env).dynamoDb();
        LocalResources.ensureHistoryTable(dynamoDb, "invoke-history");

        Run run = run(env, "invoke", "LockEventsFunction", "events/lock-acquired-workspace.json");

        assertEquals(0, run.status(), run.err());
        JsonNode response = new ObjectMapper().readTree(run.out());
        assertEquals(0, response.get("batchItemFailures").size(), run.out());
        var history = HistoryTable.read(dynamoDb, "invoke-history", "acme-tfstate/env:/staging/network/terraform.tfstate");
        assertEquals(1, history.size());
        assertEquals("LOCK_ACQUIRED", history.get(0).get("event").s());
        assertEquals("alice@laptop-alice", history.get(0).get("who").s());
    }

    /**
     * The function's JVM starts from a class archive of its package that the first run records (a dynamic CDS
     * archive, or on JDK 25 an AOT cache): a later run finds it, leaves it as it is, answers the same, and maps the
     * function's own classes from it.
     */
    @Test
    void aLaterInvokeStartsFromTheClassArchiveTheFirstRecorded(@org.junit.jupiter.api.io.TempDir Path logs)
            throws Exception {
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", "invoke-archive-history");
        LocalResources.ensureHistoryTable(AwsClients.forTools(env).dynamoDb(), "invoke-archive-history");
        Run first = run(env, "invoke", "LockEventsFunction", "events/lock-acquired.json");
        assertEquals(0, first.status(), first.err());
        Map<Path, java.nio.file.attribute.FileTime> archives = archives();
        assertFalse(archives.isEmpty(), "the first run recorded the package's class archive");

        // The template's JVM options, and a log of where each class came from (one file a JVM).
        env.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Xlog:class+load=info:file="
                + logs.resolve("classes-%p.log"));
        Run later = run(env, "invoke", "LockEventsFunction", "events/lock-acquired.json");

        assertEquals(0, later.status(), later.err());
        assertEquals(first.out(), later.out());
        assertEquals(archives, archives(), "used as it is, not recorded again, no recording left behind");
        String loaded;
        try (var files = java.nio.file.Files.list(logs)) {
            // The function's JVM's log: the one whose entry point is the runtime interface client (the launcher's
            // JVM logs too).
            loaded = files.map(f -> {
                try {
                    return java.nio.file.Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).filter(log -> log.contains("com.amazonaws.services.lambda.runtime.api.client.AWSLambda source:"))
                    .findFirst().orElseThrow();
        }
        assertTrue(loaded.contains("dev.lockauditor.handler.LockEventsHandler source: shared objects file"),
                "the handler's class is mapped from the archive");
        assertTrue(loaded.contains("software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient source: shared objects file"),
                "so are its dependencies'");
        // Every class of the function's own, its lambdas too, comes from the archive: none is read from the package,
        // none spun at run time (as they are for classes that the runtime's own class loader loads).
        List<String> notArchived = loaded.lines().filter(line -> line.contains("] dev.lockauditor."))
                .filter(line -> !line.contains("source: shared objects file")).toList();
        assertEquals(List.of(), notArchived);
    }

    /** A package built again is archived again, and the archives no start can use any more are removed. */
    @Test
    void recordingAnArchiveRemovesThePackagesOutdatedOnes() throws Exception {
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", "invoke-archive-history");
        LocalResources.ensureHistoryTable(AwsClients.forTools(env).dynamoDb(), "invoke-archive-history");
        assertEquals(0, run(env, "invoke", "LockEventsFunction", "events/lock-acquired.json").status());
        Path local = ROOT.resolve(".aws-sam/local");
        Path outdated = java.nio.file.Files.write(local.resolve("functions-lock-auditor.000000000000.aot"), new byte[1]);
        var dayAgo = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 86_400_000);
        java.nio.file.Files.setLastModifiedTime(outdated, dayAgo);
        var built = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis());
        java.nio.file.Files.setLastModifiedTime(local.resolve("functions-lock-auditor"), built);

        Run run = run(env, "invoke", "LockEventsFunction", "events/lock-acquired.json");

        assertEquals(0, run.status(), run.err());
        assertFalse(java.nio.file.Files.exists(outdated), "an archive older than the package is removed");
        assertFalse(archives().isEmpty());
        for (var archive : archives().entrySet()) {
            assertTrue(archive.getValue().compareTo(built) >= 0, archive.getKey() + " is as new as the package");
        }
    }

    /** The class archives in .aws-sam/local and recordings of them, with their times. */
    private static Map<Path, java.nio.file.attribute.FileTime> archives() throws Exception {
        Map<Path, java.nio.file.attribute.FileTime> archives = new java.util.TreeMap<>();
        try (var files = java.nio.file.Files.list(ROOT.resolve(".aws-sam/local"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches(".*\\.(jsa|aot)(\\..*)?")).toList()) {
                archives.put(file, java.nio.file.Files.getLastModifiedTime(file));
            }
        }
        return archives;
    }

    @Test
    void invokeHandsABareDocumentToTheQueueTriggeredFunctionAsTheBodyOfOneSqsMessage() throws Exception {
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", "invoke-state-history");
        env.put("STATE_BUCKET", "acme-tfstate");
        AwsClients aws = AwsClients.forTools(env);
        LocalResources.ensureHistoryTable(aws.dynamoDb(), "invoke-state-history");
        try {
            aws.s3().createBucket(b -> b.bucket("acme-tfstate"));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception alreadyThere) {
            // made by another test
        }

        Run run = run(env, "invoke", "StateEventsFunction", "events/s3-lock-file-created.json");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.err().contains("StateEventsFunction is triggered by SQS"), run.err());
        assertEquals(0, new ObjectMapper().readTree(run.out()).get("batchItemFailures").size(), run.out());
        var history = HistoryTable.read(aws.dynamoDb(), "invoke-state-history",
                "acme-tfstate/env:/staging/network/terraform.tfstate");
        assertEquals(List.of("LOCK_ACQUIRED"), history.stream().map(item -> item.get("event").s()).toList(),
                "the lock file's event recorded (its version is not in this bucket: a lock of unknown holder)");
    }

    @Test
    void invokeReportsTheFailedRecordWhenHistoryCannotBeWritten() throws Exception {
        Map<String, String> env = MotoServer.environment();
        env.put("HISTORY_TABLE", "no-such-history-table");

        Run run = run(env, "invoke", "LockEventsFunction", "events/lock-released.json");

        assertEquals(0, run.status(), run.err());
        assertEquals("100000000000000000003",
                new ObjectMapper().readTree(run.out()).at("/batchItemFailures/0/itemIdentifier").asText());
        assertTrue(run.err().contains("\"level\":\"ERROR\""), run.err());
    }

    @Test
    void wrongUseGetsAMessageAndStatusTwo() throws Exception {
        Map<String, String> env = MotoServer.environment();

        Run unknown = run(env, "frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());

        Run noFunction = run(env, "invoke", "NoSuchFunction", "events/lock-acquired.json");
        assertEquals(2, noFunction.status());
        assertTrue(noFunction.err().contains("no function 'NoSuchFunction'; functions: DashboardWidgetFunction, LockEventsFunction, SlackNotifierFunction, StaleLockSweepFunction, StateEventsFunction"), noFunction.err());

        Run noFile = run(env, "invoke", "LockEventsFunction", "events/missing.json");
        assertEquals(2, noFile.status());
        assertTrue(noFile.err().contains("no event file events/missing.json"), noFile.err());

        Run noTable = run(Map.of("AWS_REGION", "us-east-1"), "invoke", "LockEventsFunction", "events/lock-acquired.json");
        assertEquals(2, noTable.status());
        assertTrue(noTable.err().contains("LockEventsFunction failed to start: {\"errorMessage\":\"HISTORY_TABLE is not set\""),
                noTable.err());

        Map<String, String> noMoto = new java.util.HashMap<>(Map.of("PATH", "/usr/bin:/bin", "AWS_REGION", "us-east-1"));
        if (System.getenv("JAVA_HOME") != null) {
            noMoto.put("PATH", System.getenv("JAVA_HOME") + "/bin:/usr/bin:/bin");
        }
        Run demoWithoutMoto = run(noMoto, "local", "--demo");
        assertEquals(2, demoWithoutMoto.status(), demoWithoutMoto.err());
        assertTrue(demoWithoutMoto.err().contains("moto_server is not installed; install it with: pip install \"moto[server]\""),
                demoWithoutMoto.err());

        Run help = run(env, "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("invoke FUNCTION EVENT_FILE"));
        assertTrue(unknown.out().isEmpty() && noFunction.out().isEmpty() && noFile.out().isEmpty());
    }

    /**
     * SIGTERM to the launcher (CI cancelling a job, systemd, timeout) on the first run after a build, when it records
     * its class archive, and on a demo that started moto_server: the JVM is the launcher's own process and stops, and
     * so does whatever it started; nothing is left running.
     */
    @Test
    void sigtermToTheLauncherLeavesNothingRunningOnEveryPath() throws Exception {
        try (var archives = java.nio.file.Files.list(ROOT.resolve("cli/target"))) {
            for (Path file : archives.filter(f -> f.getFileName().toString().startsWith("lock-auditor.jsa")).toList()) {
                java.nio.file.Files.delete(file);  // the next run is the first after a build: it records the archive
            }
        }
        TerraformBackend backend = new TerraformBackend("signals").createLockTable(
                software.amazon.awssdk.services.dynamodb.model.StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        Map<String, String> env = MotoServer.environment();
        env.put("LOCK_TABLE", backend.lockTable);
        env.put("STATE_BUCKET", backend.bucket);
        env.put("HISTORY_TABLE", "signals-history");
        assertStopsOnSigterm(env, "local", "--duration", "600", "--format", "json");

        Map<String, String> demo = new java.util.HashMap<>(Map.of("PATH", System.getenv("PATH")));
        assertStopsOnSigterm(demo, "local", "--demo", "--duration", "600", "--format", "json");
    }

    static void assertStopsOnSigterm(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/lock-auditor").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().retainAll(Set.of("PATH", "HOME", "JAVA_HOME", "MAVEN_OPTS"));
        builder.environment().putAll(env);
        Process launcher = builder.start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.contains("\"record\":\"ready\""));
            assertTrue(line != null, "the runner got ready");
            List<ProcessHandle> started = new ArrayList<>(launcher.toHandle().descendants().toList());
            started.add(launcher.toHandle());
            assertTrue(launcher.toHandle().info().command().orElse("").endsWith("java"),
                    "the launcher's process is the JVM itself: " + launcher.toHandle().info().command());

            launcher.destroy();  // SIGTERM

            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
            for (ProcessHandle process : started) {
                assertTrue(process.onExit().completeOnTimeout(process, 15, TimeUnit.SECONDS).join().isAlive() == false,
                        "left running: " + process.info());
            }
        } finally {
            launcher.destroyForcibly();
        }
    }
}

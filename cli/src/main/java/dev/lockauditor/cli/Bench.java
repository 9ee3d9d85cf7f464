package dev.lockauditor.cli;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.audit.Sleeper;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.LockInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * {@code bin/bench}: the auditor's start-up, per-record cost and digest speed, measured on this machine and
 * printed as one JSON object per line, {@code {"figure": NAME, "value": NUMBER, "unit": UNIT}}.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The flags bin/lock-auditor runs the JVM with. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off");

    private final Path root;
    private final Path jar;
    private final PrintStream out;

    private Bench(Path root, PrintStream out) {
        this.root = root;
        this.jar = root.resolve("cli/target/lock-auditor-cli.jar");
        this.out = out;
    }

    /**
     * @param args the repository root, the folder holding the function package's jars, and optionally which
     *             groups of figures to measure ({@code package}, {@code cold}, {@code records}, {@code digest});
     *             all of them by default
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        System.setOut(System.err);
        Bench bench = new Bench(Path.of(args[0]).toAbsolutePath(), out);
        List<String> groups = args.length > 2 ? List.of(args).subList(2, args.length)
                : List.of("package", "cold", "records", "digest");
        if (groups.contains("package")) {
            bench.figure("package_mb", packageMegabytes(Path.of(args[1])), "MB");
        }
        if (groups.contains("cold")) {
            bench.figure("jvm_floor_ms", bench.median(7, List.of("-cp", bench.jar.toString(),
                    EmptyMain.class.getName()), Map.of()), "ms");
            bench.withMoto();
        }
        if (groups.contains("records")) {
            bench.figure("records_per_second", recordsPerSecond(), "records/s");
        }
        if (groups.contains("digest")) {
            bench.digests();
        }
    }

    private void figure(String name, double value, String unit) {
        ObjectNode line = JSON.createObjectNode().put("figure", name).put("unit", unit);
        line.put("value", Math.round(value * 100) / 100.0);
        out.println(line);
        out.flush();
    }

    /** The cold invocations and the DynamoDB requests, against a moto_server of the bench's own. */
    private void withMoto() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process moto = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitPort(port);
            Map<String, String> env = new HashMap<>(Map.of(
                    "AWS_ENDPOINT_URL", "http://127.0.0.1:" + port, "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "bench", "AWS_SECRET_ACCESS_KEY", "bench",
                    "HISTORY_TABLE", "bench-history", "LOCK_TABLE", "bench-locks", "STATE_BUCKET", "acme-tfstate",
                    "DIGEST_GRACE_SECONDS", "0", "LOCK_EVENT_LAG_SECONDS", "0"));
            AwsClients aws = AwsClients.forTools(env);
            createBackend(aws, env);
            env.put("ALERT_TOPIC_ARN", aws.sns().createTopic(b -> b.name("bench-alerts")).topicArn());

            List<String> lockInvoke = List.of("-jar", jar.toString(), "invoke", "LockEventsFunction",
                    root.resolve("events/lock-acquired.json").toString());
            List<String> stateInvoke = List.of("-jar", jar.toString(), "invoke", "StateEventsFunction",
                    stateEvent().toString());
            figure("cold_invoke_without_class_archive_ms", median(5, lockInvoke, env), "ms");
            // As bin/lock-auditor runs: with an archive of the classes a first run loaded (AppCDS).
            Path archive = Files.createTempDirectory("bench-cds").resolve("lock-auditor.jsa");
            java(lockInvoke, env, List.of("-XX:ArchiveClassesAtExit=" + archive)).waitFor();
            List<String> shared = List.of("-XX:SharedArchiveFile=" + archive);
            figure("cold_invoke_ms", median(5, concat(shared, lockInvoke), env), "ms");
            figure("cold_invoke_state_ms", median(5, concat(shared, stateInvoke), env), "ms");
            figure("classes_loaded", classesLoaded(lockInvoke, env), "classes");
            figure("ddb_requests_per_100_records", dynamoDbRequests(env), "requests");
        } finally {
            moto.destroy();
            moto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static void createBackend(AwsClients aws, Map<String, String> env) {
        aws.dynamoDb().createTable(b -> b.tableName(env.get("HISTORY_TABLE")).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("statePath").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("eventKey").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("statePath").keyType(KeyType.HASH),
                        k -> k.attributeName("eventKey").keyType(KeyType.RANGE)));
        aws.dynamoDb().createTable(b -> b.tableName(env.get("LOCK_TABLE")).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("LockID").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("LockID").keyType(KeyType.HASH)));
        String key = "env:/staging/network/terraform.tfstate";
        String path = env.get("STATE_BUCKET") + "/" + key;
        aws.s3().createBucket(b -> b.bucket(env.get("STATE_BUCKET")));
        String state = "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": 7,\n  \"lineage\": "
                + "\"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\",\n  \"outputs\": {}\n}\n";
        aws.s3().putObject(b -> b.bucket(env.get("STATE_BUCKET")).key(key), RequestBody.fromString(state));
        LockInfo lock = new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "", "ci@runner",
                "1.11.2", Instant.now().minusSeconds(30).toString(), path);
        aws.dynamoDb().putItem(b -> b.tableName(env.get("LOCK_TABLE")).item(Map.of(
                "LockID", AttributeValue.fromS(path), "Info", AttributeValue.fromS(lock.toJson()))));
    }

    /** The EventBridge sample without its version id (the bench's bucket is not versioned). */
    private Path stateEvent() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(root.resolve("events/s3-state-written.json").toFile());
        ((ObjectNode) event.at("/detail/object")).remove("version-id");
        event.put("time", Instant.now().toString());
        Path file = Files.createTempFile("bench-state-event", ".json");
        Files.writeString(file, event.toString());
        return file;
    }

    /** Median wall time, in milliseconds, of a fresh JVM running {@code args}, from start to exit. */
    private double median(int runs, List<String> args, Map<String, String> env) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs + 1; i++) {
            long start = System.nanoTime();
            int status = java(args, env, List.of()).waitFor();
            double millis = (System.nanoTime() - start) / 1e6;
            if (status != 0) {
                throw new IllegalStateException("java " + args + " exited with " + status);
            }
            if (i > 0) {
                times.add(millis);
            }
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    private double classesLoaded(List<String> args, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("bench-classes", ".log");
        java(args, env, List.of("-Xlog:class+load=info:file=" + log)).waitFor();
        try (var lines = Files.lines(log)) {
            return lines.count();
        }
    }

    private Process java(List<String> args, Map<String, String> env, List<String> extraFlags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(extraFlags);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** DynamoDB requests LockEventsFunction's handler makes for a batch of 100 lock records, counted by the SDK. */
    private static double dynamoDbRequests(Map<String, String> env) {
        AtomicInteger requests = new AtomicInteger();
        AwsClients aws = AwsClients.forTools(env).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request().getClass().getPackageName().endsWith("dynamodb.model")) {
                    requests.incrementAndGet();
                }
            }
        });
        Config config = Config.from(env);
        LockEventsHandler handler = new LockEventsHandler(Components.of(config, aws, Components.historyStore(config, aws),
                Components.publisher(config, aws), new Metrics(nullStream(), "bench", Clock.systemUTC())));
        handler.handleRequest(records(100, 0), new LocalContext("LockEventsFunction", nullStream()));
        return requests.get();
    }

    /** Warm, single-threaded: records classified and turned into history items, no I/O. */
    private static double recordsPerSecond() {
        Config config = Config.from(Map.of("HISTORY_TABLE", "bench-history"));
        InMemoryHistoryStore memory = new InMemoryHistoryStore();
        DynamoDbHistoryStore items = new DynamoDbHistoryStore(null, "bench-history", Duration.ofDays(90));
        AtomicInteger made = new AtomicInteger();
        InMemoryHistoryStore asItems = new InMemoryHistoryStore() {
            @Override
            public synchronized void write(List<HistoryEvent> events) {
                for (HistoryEvent event : events) {
                    made.addAndGet(items.item(event).size());
                }
            }
        };
        Components components = new Components(config, asItems, Components.NO_LOCK_TABLE, Components.NO_STATE_BUCKET, new OnceAlerts(memory,
                alert -> { }), new Alerts(""), new Metrics(nullStream(), "bench", Clock.systemUTC()), Clock.systemUTC(),
                Sleeper.REAL);
        LockEventsHandler handler = new LockEventsHandler(components);
        int batch = 10_000;
        DynamodbEvent event = records(batch, 1);
        LocalContext context = new LocalContext("LockEventsFunction", nullStream());
        for (int i = 0; i < 20; i++) {
            handler.handleRequest(event, context);
        }
        // The median of several windows, so that one collection or compilation does not decide the figure.
        List<Double> windows = new ArrayList<>();
        for (int window = 0; window < 9; window++) {
            int rounds = 5;
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                handler.handleRequest(event, context);
            }
            windows.add(batch * rounds / ((System.nanoTime() - start) / 1e9));
        }
        if (made.get() == 0) {
            throw new IllegalStateException("no history items were made");
        }
        windows.sort(Double::compare);
        return windows.get(windows.size() / 2);
    }

    /** The auditor's streamed MD5 beside the system's md5sum over the same 512 MiB, and peak heap for 1 GiB. */
    private void digests() throws Exception {
        Path file = Files.createTempFile("bench-state", ".bin");
        try {
            byte[] block = new byte[1 << 20];
            new Random(42).nextBytes(block);
            try (OutputStream write = Files.newOutputStream(file)) {
                for (int i = 0; i < 512; i++) {
                    write.write(block);
                }
            }
            double megabytes = Files.size(file) / (1024.0 * 1024.0);
            md5sum(file);
            double md5sumSeconds = Double.MAX_VALUE;
            double md5Seconds = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                md5sum(file);
                md5sumSeconds = Math.min(md5sumSeconds, (System.nanoTime() - start) / 1e9);
                start = System.nanoTime();
                try (InputStream in = Files.newInputStream(file)) {
                    S3StateBucket.digest(in, MessageDigest.getInstance("MD5"));
                }
                md5Seconds = Math.min(md5Seconds, (System.nanoTime() - start) / 1e9);
            }
            figure("md5_mb_per_second", megabytes / md5Seconds, "MB/s");
            figure("md5sum_mb_per_second", megabytes / md5sumSeconds, "MB/s");
        } finally {
            Files.deleteIfExists(file);
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        builder.command().addAll(JVM_FLAGS);
        builder.command().addAll(List.of("-Xmx64m", "-cp", jar.toString(), PeakHeap.class.getName(),
                Long.toString(1L << 30)));
        Process measured = builder.redirectErrorStream(true).start();
        String result = new String(measured.getInputStream().readAllBytes()).trim();
        if (measured.waitFor() != 0) {
            throw new IllegalStateException("verifying a 1 GiB state in a 64 MiB heap failed: " + result);
        }
        figure("digest_peak_heap_mb", Long.parseLong(result.split(" ")[0]) / (1024.0 * 1024.0), "MB");
    }

    private static void md5sum(Path file) throws Exception {
        Process process = new ProcessBuilder("md5sum", file.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("md5sum failed");
        }
    }

    /** Lock records as the stream delivers them: taken and released in turn, each on its own state. */
    static DynamodbEvent records(int count, int seed) {
        ObjectNode event = JSON.createObjectNode();
        var records = event.putArray("Records");
        for (int i = 0; i < count; i++) {
            String path = "acme-tfstate/env:/ws-" + seed + "/stack-" + (i / 2) + "/terraform.tfstate";
            String info = new LockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-%012d", i / 2), "OperationTypeApply", "",
                    "ci@runner-7f9c", "1.11.2", "2025-03-14T09:26:53.589793238Z", path).toJson();
            ObjectNode image = JSON.createObjectNode();
            image.putObject("LockID").put("S", path);
            image.putObject("Info").put("S", info);
            ObjectNode record = records.addObject().put("eventID", "event-" + seed + "-" + i)
                    .put("eventName", i % 2 == 0 ? "INSERT" : "REMOVE").put("eventSource", "aws:dynamodb");
            ObjectNode dynamodb = record.putObject("dynamodb").put("ApproximateCreationDateTime", 1741944414 + i)
                    .put("SequenceNumber", Long.toString(1_000_000L + i)).put("StreamViewType", "NEW_AND_OLD_IMAGES");
            dynamodb.putObject("Keys").putObject("LockID").put("S", path);
            dynamodb.set(i % 2 == 0 ? "NewImage" : "OldImage", image);
        }
        return LambdaEventSerializers.serializerFor(DynamodbEvent.class, Bench.class.getClassLoader())
                .fromJson(event.toString());
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("moto_server did not start");
    }

    static double packageMegabytes(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            long bytes = 0;
            for (Path file : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                bytes += Files.size(file);
            }
            return bytes / (1024.0 * 1024.0);
        }
    }

    private static PrintStream nullStream() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

}

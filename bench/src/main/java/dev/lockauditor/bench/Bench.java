package dev.lockauditor.bench;

import dev.lockauditor.config.Environments;
import dev.lockauditor.testsupport.EmulatedStack;
import dev.lockauditor.runtime.MotoProcess;
import dev.lockauditor.runtime.TerraformS3Backend;
import dev.lockauditor.runtime.FunctionPackage;
import dev.lockauditor.runtime.Jdk;
import dev.lockauditor.runtime.ListPrices;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.LocalContext;
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SamTemplate;
import dev.lockauditor.runtime.SqsEnvelope;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.LockInfo;
import java.io.IOException;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
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
import java.util.Locale;
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
        this.jar = root.resolve("bench/target/lock-auditor-bench.jar");
        this.out = out;
    }

    /**
     * @param args the repository root, then optionally which groups of figures to measure ({@code functions},
     *             {@code cost}, {@code sweep}, {@code backfill}, {@code report}, {@code digest}, {@code metrics}; all
     *             of them by default), or {@code chaos} and optionally its minutes (60 by default)
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        System.setOut(System.err);
        Bench bench = new Bench(Path.of(args[0]).toAbsolutePath(), out);
        if (args.length > 1 && args[1].equals("chaos")) {
            ChaosBench.Totals totals = ChaosBench.run(java.time.Duration.ofMinutes(args.length > 2
                    ? Long.parseLong(args[2]) : 60), out);
            System.exit(totals.failedSeeds().isEmpty() ? 0 : 1);
        }
        List<String> groups = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("functions", "cost", "sweep", "backfill", "report", "digest", "metrics");
        if (groups.contains("functions") || groups.contains("sweep") || groups.contains("backfill")
                || groups.contains("cost")) {
            bench.withMoto(groups);
        }
        if (groups.contains("report")) {
            bench.report();
        }
        if (groups.contains("digest")) {
            bench.digests();
        }
        if (groups.contains("metrics")) {
            bench.metrics();
        }
    }

    /**
     * The auditor's embedded-metric-format writer beside Powertools for AWS Lambda (Java) v2's functional API, each
     * in fresh JVMs with the functions' flags (the median of five): one invocation's metrics emitted first in the JVM,
     * first after one emission (as after SnapStart's priming), and warm; and the jars Powertools would add to the
     * package.
     */
    private void metrics() throws Exception {
        for (String library : List.of("handwritten", "powertools")) {
            List<long[]> runs = new ArrayList<>();
            for (int run = 0; run < 5; run++) {
                ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
                builder.command().addAll(JVM_FLAGS);
                builder.command().addAll(List.of("-cp", jar.toString(), MetricsProbe.class.getName(), library));
                builder.environment().put("AWS_LAMBDA_FUNCTION_NAME", "MetricsProbe");
                builder.environment().put("POWERTOOLS_SERVICE_NAME", "lock-auditor");
                Process probe = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String[] result = new String(probe.getInputStream().readAllBytes()).trim().split(" ");
                probe.waitFor();
                runs.add(new long[] {Long.parseLong(result[0]), Long.parseLong(result[1]), Long.parseLong(result[2])});
            }
            String[] names = {"first", "primed", "warm"};
            for (int i = 0; i < names.length; i++) {
                int column = i;
                List<Long> values = new ArrayList<>(runs.stream().map(r -> r[column]).toList());
                values.sort(Long::compare);
                figure("metrics_" + names[i] + "_emit_us_" + library, values.get(values.size() / 2), "us");
            }
        }
        long added = 0;
        try (var jars = Files.list(jar.getParent().resolve("lib"))) {
            for (Path lib : jars.toList()) {
                String name = lib.getFileName().toString();
                // What the functions' package does not hold already (it has Jackson and SLF4J).
                if (name.startsWith("powertools-") || name.startsWith("aws-embedded-metrics")
                        || name.startsWith("commons-lang3")) {
                    added += Files.size(lib);
                }
            }
        }
        figure("metrics_powertools_package_added_kb", added / 1024.0, "KB");
    }

    private void figure(String name, double value, String unit) {
        ObjectNode line = JSON.createObjectNode().put("figure", name).put("unit", unit);
        line.put("value", Math.round(value * 100) / 100.0);
        out.println(line);
        out.flush();
    }

    /** The functions under the Lambda runtime interface client, and DynamoDB requests, against a moto_server of the bench's own. */
    private void withMoto(List<String> groups) throws Exception {
        try (MotoProcess moto = MotoProcess.start()) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "bench", "AWS_SECRET_ACCESS_KEY", "bench"));
            AwsClients aws = AwsClients.forTools(env);
            if (groups.contains("functions")) {
                functionFigures(aws, env);
            }
            if (groups.contains("sweep")) {
                sweepFigures(env);
            }
            if (groups.contains("backfill")) {
                backfillFigures(env);
            }
            if (groups.contains("cost")) {
                costFigures(env);
            }
        }
    }

    private void functionFigures(AwsClients aws, Map<String, String> env) throws Exception {
        try (EmulatedStack stack = new EmulatedStack(aws, "bench", "acme-tfstate")) {
            Path packageFolder = FunctionPackage.of(root, "functions/lock-auditor", System.err);
            figure("package_mb", megabytes(packageFolder), "MB");
            for (Jdk jdk : jdks()) {
                functions(stack, packageFolder, env, jdk);
            }
            Map<String, String> settings = new HashMap<>(env);
            settings.put("HISTORY_TABLE", stack.historyTable);
            settings.put("LOCK_TABLE", stack.backend.lockTable);
            settings.put("ALERT_TOPIC_ARN", stack.topicArn);
            figure("ddb_requests_per_100_records", dynamoDbRequests(settings), "requests");
            invokeFigures(env, stack.historyTable);
        }
    }

    /**
     * The stack's backfill of a versioned bucket on lock files, about 5,000 versions (60 states of 28 applies), as the
     * sweep runs it with its two-minute budget, and with a 5-second one to show how it resumes: requests per version,
     * sweeps, time against moto, the longest sweep.
     */
    private void backfillFigures(Map<String, String> env) throws Exception {
        for (Duration budget : new Duration[] {Duration.ofSeconds(120), Duration.ofSeconds(5)}) {
            BackfillCost.Cost cost = new BackfillCost(env).measure("backfill" + budget.toSeconds(), 60, 28, budget);
            String suffix = "_budget_" + budget.toSeconds() + "s";
            figure("backfill_versions" + suffix, cost.versions(), "versions");
            figure("backfill_sweeps" + suffix, cost.sweeps(), "sweeps");
            figure("backfill_longest_sweep" + suffix, cost.longest(), "s");
            figure("backfill_versions_per_second_moto" + suffix, cost.versions() / cost.seconds(), "versions/s");
            figure("backfill_s3_requests_per_1000_versions" + suffix, 1000.0 * cost.s3Requests() / cost.versions(),
                    "requests");
            figure("backfill_ddb_requests_per_1000_versions" + suffix, 1000.0 * cost.ddbRequests() / cost.versions(),
                    "requests");
        }
    }

    /** The teams whose monthly bills {@code bin/bench cost} prints. */
    static final List<MonthlyBill.Team> TEAMS = List.of(new MonthlyBill.Team("small", 10, 10, 50),
            new MonthlyBill.Team("medium", 200, 200, 500), new MonthlyBill.Team("large", 2_000, 2_000, 5_000));

    /**
     * The stack's monthly bill for three teams, from a team's runs measured as deployed ({@link TeamDayCost}) on the
     * template's runtime: each line of each bill with its quantity and price, the totals, and what each setting that
     * changes the bill changes. The bills are also written as Markdown tables to {@code bench/target/cost.md}.
     */
    private void costFigures(Map<String, String> env) throws Exception {
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        Jdk jdk = jdks().stream().filter(j -> j.lambdaRuntime().equals(template.function("StateEventsFunction",
                Map.of()).runtime())).findFirst().orElse(Jdk.current());
        TeamDayCost.Measured measured = new TeamDayCost(root, env, jdk).measure(20, 20);
        Map<String, String> lockFiles = Map.of("StateBucketName", "acme-tfstate");
        MonthlyBill.Stack stack = new MonthlyBill.Stack(
                template.resourcesCreated("AWS::CloudWatch::Alarm", lockFiles).size(),
                Integer.parseInt(template.parameterDefault("HistoryRetentionDays")),
                Integer.parseInt(template.parameterDefault("LogRetentionDays")),
                Integer.parseInt(template.parameterDefault("FullListingHours")));
        StringBuilder markdown = new StringBuilder("Prices: us-east-1 list prices of " + ListPrices.AS_OF
                + ", no free tier; measured on " + jdk.lambdaRuntime() + ". Custom metrics measured: "
                + String.join(", ", measured.metrics()) + ".\n");
        Map<String, MonthlyBill.Settings> variants = new java.util.LinkedHashMap<>();
        variants.put("CallerEnrichment=create-trail", new MonthlyBill.Settings(true, true, 5, true));
        variants.put("SweepSchedule=rate(15 minutes)", new MonthlyBill.Settings(true, false, 15, true));
        variants.put("CloudWatchDashboard=none", new MonthlyBill.Settings(false, false, 5, true));
        variants.put("ExistingAlertTopicArn set (no key of its own)", new MonthlyBill.Settings(true, false, 5, false));
        for (MonthlyBill.Team team : TEAMS) {
            List<MonthlyBill.Line> lines = MonthlyBill.lines(measured, team, MonthlyBill.Settings.DEFAULTS, stack);
            double total = MonthlyBill.total(lines);
            markdown.append(String.format(Locale.ROOT, "%n### %s team: %,d applies and %,d plans a day, %,d states%n%n"
                            + "| line | quantity a month | price | cost a month | from |%n|---|---|---|---|---|%n",
                    team.name(), team.appliesPerDay(), team.plansPerDay(), team.states()));
            for (MonthlyBill.Line line : lines) {
                ObjectNode figure = JSON.createObjectNode().put("figure", "cost_" + team.name() + "_"
                                + line.item().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"))
                        .put("value", Math.round(line.cost() * 10000) / 10000.0).put("unit", "USD/month")
                        .put("quantity", Math.round(line.quantity() * 1000) / 1000.0).put("quantityUnit", line.unit())
                        .put("price", line.price()).put("basis", line.basis());
                out.println(figure);
                markdown.append(String.format(Locale.ROOT, "| %s | %s %s | %s | %s | %s |%n", line.item(),
                        quantity(line.quantity()), line.unit(), price(line.price()), ListPrices.dollars(line.cost()),
                        line.basis()));
            }
            figure("cost_" + team.name() + "_total", total, "USD/month");
            markdown.append(String.format(Locale.ROOT, "| **total** | | | **%s** | |%n", ListPrices.dollars(total)));
            for (Map.Entry<String, MonthlyBill.Settings> variant : variants.entrySet()) {
                double other = MonthlyBill.total(MonthlyBill.lines(measured, team, variant.getValue(), stack));
                figure("cost_" + team.name() + "_total_with_" + variant.getKey().replaceAll("[^A-Za-z0-9]+", "_"), other,
                        "USD/month");
                markdown.append(String.format(Locale.ROOT, "| with %s | | | %s (%s%s) | |%n", variant.getKey(),
                        ListPrices.dollars(other), other >= total ? "+" : "-", ListPrices.dollars(Math.abs(other - total))));
            }
        }
        Path file = root.resolve("bench/target/cost.md");
        Files.writeString(file, markdown);
        System.err.println("bench: the bills as Markdown: " + file);
    }

    private static String quantity(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : value >= 1
                ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String price(double value) {
        return value >= 0.01 ? String.format(Locale.ROOT, "$%.2f", value)
                : String.format(Locale.ROOT, "$%s", new java.math.BigDecimal(value).round(new java.math.MathContext(3))
                        .stripTrailingZeros().toPlainString());
    }

    /** The report of 500 states over 90 days at 200 applies a day: how long it takes to render, and its size. */
    private void report() {
        ReportCost.Cost cost = ReportCost.measure(500, 90, 200);
        figure("report_sessions", cost.sessions(), "sessions");
        figure("report_render_seconds_500_states_90_days", cost.seconds(), "s");
        figure("report_mib_500_states_90_days", cost.bytes() / 1024.0 / 1024.0, "MiB");
    }

    /** One sweep's S3 requests and DynamoDB read units with 5,000 and 50,000 other objects in the bucket. */
    private void sweepFigures(Map<String, String> env) throws Exception {
        for (int objects : new int[] {5_000, 50_000}) {
            SweepCost.Cost cost = new SweepCost(env).measure("sweep" + objects, objects);
            figure("sweep_s3_requests_" + objects + "_objects", cost.s3Requests(), "requests");
            figure("sweep_s3_list_requests_" + objects + "_objects", cost.s3ListRequests(), "requests");
            figure("sweep_ddb_read_units_" + objects + "_objects", cost.readUnits(), "RCU");
            figure("full_listing_s3_requests_" + objects + "_objects", cost.fullListingRequests(), "requests");
            figure("full_listing_sweeps_" + objects + "_objects", cost.fullListingSweeps(), "sweeps");
        }
    }

    /**
     * Each function as deployed on one JDK, under the runtime interface client with SnapStart's hooks: its init (JVM
     * start to ready, priming included) and its first invocation after priming, each the median of three starts; the
     * median of the warm ones that follow on the same event; and the longest invocation of all, every sample event of
     * the function's included; and what 1,000 state writes cost in Lambda GB-seconds, one invocation each (a write
     * whose checks must come back costs two). Figures are named by the Lambda runtime the JDK plays.
     */
    private void functions(EmulatedStack stack, Path packageFolder, Map<String, String> env, Jdk jdk) throws Exception {
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        String key = "env:/staging/network/terraform.tfstate";
        String state = "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": 7,\n  \"lineage\": "
                + "\"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\",\n  \"outputs\": {}\n}\n";
        String versionId = stack.aws.s3().putObject(b -> b.bucket(stack.backend.bucket).key(key),
                RequestBody.fromString(state)).versionId();
        LockInfo held = stack.backend.lock(key, "OperationTypeApply", "ci@runner");
        stack.backend.putDigest(key, TerraformS3Backend.md5(state));
        ObjectNode written = (ObjectNode) JSON.readTree(root.resolve("events/s3-state-written.json").toFile());
        ((ObjectNode) written.at("/detail/object")).put("version-id", versionId)
                .put("etag", TerraformS3Backend.md5(state)).put("size", state.length());
        written.put("time", Instant.now().toString());
        Map<String, byte[]> events = new java.util.LinkedHashMap<>();
        events.put("LockEventsFunction", Files.readAllBytes(root.resolve("events/lock-acquired.json")));
        // StateEventsFunction's trigger is the state events queue: the event is the body of one SQS message.
        events.put("StateEventsFunction", SqsEnvelope.around(JSON.writeValueAsBytes(written), "us-east-1"));
        events.put("StaleLockSweepFunction", Files.readAllBytes(root.resolve("events/scheduled-sweep.json")));
        events.put("SlackNotifierFunction", Files.readAllBytes(root.resolve("events/sns-alert.json")));
        events.put("DashboardWidgetFunction", Files.readAllBytes(root.resolve("events/dashboard-widget.json")));

        steadyState(template.function("StaleLockSweepFunction", stack.templateValues("bench")), env);
        for (Map.Entry<String, byte[]> entry : events.entrySet()) {
            SamTemplate.Function function = template.function(entry.getKey(), stack.templateValues("bench"));
            String name = entry.getKey().replace("Function", "") + "_" + jdk.lambdaRuntime();
            List<Double> inits = new ArrayList<>();
            List<Double> firsts = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            double longest = 0;
            // Each start's first invocation, three starts; the warm ones and every sample event in the first.
            for (int start = 0; start < 3; start++) {
                try (LambdaProcess process = LambdaProcess.start(function, packageFolder, env, null,
                        new LambdaProcess.Jvm(jdk, false))) {
                    inits.add(millis(process.init()));
                    firsts.add(millis(invoke(process, entry.getValue()).duration()));
                    longest = Math.max(longest, firsts.get(start));
                    if (start > 0) {
                        continue;
                    }
                    for (int i = 0; i < 20; i++) {
                        warm.add(millis(invoke(process, entry.getValue()).duration()));
                    }
                    for (Path sample : samplesFor(entry.getKey())) {
                        byte[] event = Files.readAllBytes(sample);
                        if (entry.getKey().equals("StateEventsFunction")) {
                            event = SqsEnvelope.ifBare(event, "us-east-1");
                        }
                        longest = Math.max(longest, millis(invoke(process, event).duration()));
                    }
                }
            }
            longest = Math.max(longest, warm.stream().mapToDouble(d -> d).max().orElse(0));
            double median = median(warm);
            figure(name + "_init_ms", median(inits), "ms");
            figure(name + "_first_invoke_ms", median(firsts), "ms");
            figure(name + "_warm_median_ms", median, "ms");
            figure(name + "_first_to_warm_ratio", median(firsts) / median, "x");
            figure(name + "_longest_invoke_ms", longest, "ms");
            if (entry.getKey().equals("StateEventsFunction")) {
                // Billed duration is rounded up to the millisecond; memory as the template configures it.
                figure("state_writes_1000_gb_seconds_" + jdk.lambdaRuntime(),
                        1000 * Math.ceil(median) / 1000.0 * function.memoryMb() / 1024.0, "GB-s");
            }
        }
        stack.backend.unlock(key, held.id());
    }

    /**
     * The stack as it runs day to day, so that a function's first invocation does the same work as the warm ones that
     * follow: a sweep run here first makes the day's full listing and the backfill of the bucket's versions, which a
     * deployed stack did long before.
     */
    private static void steadyState(SamTemplate.Function sweepFunction, Map<String, String> env) {
        Map<String, String> settings = new HashMap<>(sweepFunction.environment());
        settings.putAll(env);
        Config config = Config.from(settings);
        AwsClients aws = AwsClients.forTools(settings);
        Components components = Components.of(config, aws, Components.historyStore(config, aws),
                Components.publisher(config, aws), new Metrics(nullStream(), Environments.only("bench"), Clock.systemUTC()));
        new StaleLockSweepHandler(components).sweep("bench", new LocalContext("StaleLockSweepFunction", nullStream())
                .getLogger());
    }

    /**
     * {@code bin/lock-auditor invoke LockEventsFunction events/lock-acquired.json} as a whole process (the script, its
     * JVM, the function's JVM under the runtime interface client, from their class archives) on each JDK, beside a
     * Python boto3 handler that records the same event with one BatchWriteItem ({@code bench/python/lock_events.py}),
     * against the same moto: the median wall time of five runs each, after one that records the class archives, and
     * the largest process's peak resident memory.
     */
    private void invokeFigures(Map<String, String> env, String historyTable) throws Exception {
        Map<String, String> settings = new HashMap<>(env);
        settings.put("HISTORY_TABLE", historyTable);
        settings.put("AWS_DEFAULT_REGION", env.get("AWS_REGION"));
        String event = root.resolve("events/lock-acquired.json").toString();
        double python = wallTime(List.of("python3", root.resolve("bench/python/lock_events.py").toString(), event),
                settings, "python_handler");
        figure("python_handler_wall_ms", python, "ms");
        for (Jdk jdk : jdks()) {
            Map<String, String> withJdk = new HashMap<>(settings);
            withJdk.put("JAVA_HOME", jdk.home().toString());
            String name = "invoke_" + jdk.lambdaRuntime();
            double invoke = wallTime(List.of(root.resolve("bin/lock-auditor").toString(), "invoke", "LockEventsFunction",
                    event), withJdk, name);
            figure(name + "_wall_ms", invoke, "ms");
            figure(name + "_to_python_ratio", invoke / python, "x");
        }
    }

    /** The median wall time of five runs of a command (after one not counted), and its peak memory as a figure. */
    private double wallTime(List<String> command, Map<String, String> env, String name) throws Exception {
        List<Double> runs = new ArrayList<>();
        long peakKb = 0;
        for (int run = 0; run <= 5; run++) {
            List<String> timed = new ArrayList<>();
            boolean gnuTime = Files.isExecutable(Path.of("/usr/bin/time"));
            if (gnuTime) {
                timed.addAll(List.of("/usr/bin/time", "-f", "peak-kb %M"));
            }
            timed.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(timed).directory(root.toFile());
            builder.environment().putAll(env);
            long start = System.nanoTime();
            Process process = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(process.getErrorStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + err);
            }
            double millis = (System.nanoTime() - start) / 1e6;
            if (run > 0) {
                runs.add(millis);
                java.util.regex.Matcher peak = java.util.regex.Pattern.compile("peak-kb (\\d+)").matcher(err);
                if (peak.find()) {
                    peakKb = Math.max(peakKb, Long.parseLong(peak.group(1)));
                }
            }
        }
        runs.sort(Double::compare);
        if (peakKb > 0) {
            figure(name + "_peak_rss_mib", peakKb / 1024.0, "MiB");
        }
        return runs.get(runs.size() / 2);
    }

    /**
     * The JDKs to run the functions on: the one running the bench (17 or 21 plays Lambda's java21) and every other
     * of another Lambda runtime installed under /usr/lib/jvm (a JDK 25 plays java25).
     */
    static List<Jdk> jdks() throws IOException {
        Map<String, Jdk> byRuntime = new java.util.LinkedHashMap<>();
        byRuntime.put(Jdk.current().lambdaRuntime(), Jdk.current());
        Path installed = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(installed)) {
            try (var homes = Files.list(installed)) {
                for (Path home : homes.sorted().toList()) {
                    if (Files.isRegularFile(home.resolve("release")) && Files.isExecutable(home.resolve("bin/java"))) {
                        Jdk jdk = Jdk.at(home);
                        if (jdk.feature() >= 17) {
                            byRuntime.putIfAbsent(jdk.lambdaRuntime(), jdk);
                        }
                    }
                }
            }
        }
        return List.copyOf(byRuntime.values());
    }

    /** Every sample event of {@code events/} that the function takes, by the prefixes of their names. */
    private List<Path> samplesFor(String function) throws IOException {
        List<String> prefixes = switch (function) {
            case "LockEventsFunction" -> List.of("lock-", "digest-", "foreign-");
            case "StateEventsFunction" -> List.of("s3-", "sqs-");
            case "StaleLockSweepFunction" -> List.of("scheduled-");
            case "DashboardWidgetFunction" -> List.of("dashboard-");
            default -> List.of("sns-");
        };
        try (var files = Files.list(root.resolve("events"))) {
            return files.filter(f -> f.toString().endsWith(".json"))
                    .filter(f -> prefixes.stream().anyMatch(f.getFileName().toString()::startsWith)).sorted().toList();
        }
    }

    private static RuntimeApi.Invocation invoke(LambdaProcess process, byte[] event) throws InterruptedException {
        RuntimeApi.Invocation invocation = process.invoke(event);
        if (invocation.error()) {
            throw new IllegalStateException(process.function().name() + " failed: " + invocation.body());
        }
        return invocation;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static double millis(java.time.Duration duration) {
        return duration.toNanos() / 1e6;
    }

    /** Every record the lock table's stream holds now, as Lambda's event source mapping would hand them over. */
    static DynamodbEvent streamEvent(AwsClients aws, String streamArn) {
        var streams = aws.dynamoDbStreams();
        List<software.amazon.awssdk.services.dynamodb.model.Record> records = new ArrayList<>();
        for (var shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(software.amazon.awssdk.services.dynamodb.model.ShardIteratorType.TRIM_HORIZON))
                    .shardIterator();
            records.addAll(streams.getRecords(b -> b.shardIterator(iterator)).records());
        }
        return LambdaEventSerializers.serializerFor(DynamodbEvent.class, Bench.class.getClassLoader())
                .fromJson(dev.lockauditor.runtime.LambdaStreamEvents.toEventJson(records, streamArn));
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
                Components.publisher(config, aws), new Metrics(nullStream(), Environments.only("bench"), Clock.systemUTC())));
        handler.handleRequest(records(100, 0), new LocalContext("LockEventsFunction", nullStream()));
        return requests.get();
    }

    /** The auditor's streamed MD5 beside the system's md5sum over the same 512 MiB, and peak heap for 1 GiB. */
    private void digests() throws Exception {
        Options options = new OptionsBuilder().include(DigestBenchmark.class.getName()).forks(1)
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx512m").build();
        RunResult run = new Runner(options, OutputFormatFactory.createFormatInstance(System.err, VerboseMode.SILENT)).runSingle();
        double seconds = run.getPrimaryResult().getScore() / 1000.0;
        figure("md5_mb_per_second", DigestBenchmark.MEBIBYTES / seconds, "MB/s");

        Path file = Files.createTempFile("bench-state", ".bin");
        try {
            byte[] state = new byte[DigestBenchmark.MEBIBYTES << 20];
            new Random(42).nextBytes(state);
            Files.write(file, state);
            md5sum(file);
            double md5sumSeconds = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                md5sum(file);
                md5sumSeconds = Math.min(md5sumSeconds, (System.nanoTime() - start) / 1e9);
            }
            figure("md5sum_mb_per_second", DigestBenchmark.MEBIBYTES / md5sumSeconds, "MB/s");
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

    /** The size of a folder's files, as the deployment package's zip would hold them uncompressed. */
    static double megabytes(Path folder) throws IOException {
        try (var files = Files.walk(folder)) {
            long bytes = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(file);
            }
            return bytes / (1024.0 * 1024.0);
        }
    }

    private static PrintStream nullStream() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

}

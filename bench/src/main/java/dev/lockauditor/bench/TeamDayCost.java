package dev.lockauditor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.runtime.Jdk;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SamTemplate;
import dev.lockauditor.runtime.SqsEnvelope;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.testsupport.AwsCall;
import dev.lockauditor.testsupport.EmulatedStack;
import dev.lockauditor.testsupport.MotoProxy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a team's Terraform runs cost the stack, measured as deployed: a backend on lock files, StateEventsFunction and
 * StaleLockSweepFunction packaged as {@code sam build} packages them and run under the runtime interface client
 * (after SnapStart's priming), each talking to moto through a proxy that records every request it makes. Applies (a
 * lock file written, the state written, the lock file deleted) and plans (a lock file written and deleted) are made
 * on the bucket and their object events handed to the function one SQS message each, as the state events queue
 * delivers them when they come one at a time; a CloudTrail record of a write is handed over too, as enrichment adds
 * one for each object event. The sweep is invoked as the schedule invokes it, between full listings.
 */
final class TeamDayCost {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one unit of work (an apply, a plan, a sweep, a CloudTrail record) cost, on average. */
    record Unit(double invocations, double billedMs, Map<String, Double> requests, double logBytes) {

        double requests(String action) {
            return requests.getOrDefault(action, 0.0);
        }

        /** Requests of every action of a service ({@code dynamodb:}, {@code s3:}, ...) that {@code billedAs} says. */
        double requests(String service, Set<String> billedAs) {
            return requests.entrySet().stream().filter(e -> e.getKey().startsWith(service)
                    && billedAs.contains(e.getKey().substring(service.length()))).mapToDouble(Map.Entry::getValue).sum();
        }
    }

    /**
     * @param apply          an apply's cost (three object events)
     * @param plan           a plan's (two object events)
     * @param sweep          a sweep between full listings
     * @param callerRecord   one CloudTrail record of an object write, with enrichment on
     * @param historyItemBytes the mean size of a history item, as DynamoDB sizes it
     * @param historyItemsPerApply history items an apply leaves; {@code historyItemsPerPlan} a plan's
     * @param metrics        the distinct metrics (name and dimensions) the functions emitted
     * @param memoryMb       the functions' memory, from the template
     */
    record Measured(Unit apply, Unit plan, Unit sweep, Unit callerRecord, double historyItemBytes,
                    double historyItemsPerApply, double historyItemsPerPlan, Set<String> metrics, int memoryMb) {
    }

    private final Path root;
    private final Map<String, String> env;
    private final Jdk jdk;

    TeamDayCost(Path root, Map<String, String> env, Jdk jdk) {
        this.root = root;
        this.env = env;
        this.jdk = jdk;
    }

    Measured measure(int applies, int plans) throws Exception {
        AwsClients aws = AwsClients.forTools(env);
        String bucket = "cost-tfstate";
        try (EmulatedStack stack = new EmulatedStack(aws, "cost", bucket, false);
             MotoProxy proxy = new MotoProxy(env.get("AWS_ENDPOINT_URL"))) {
            SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
            Map<String, String> values = new HashMap<>(stack.templateValues("bench"));
            values.put("DigestGraceSeconds", "0");
            values.put("LockEventLagSeconds", "0");
            Path packageFolder = dev.lockauditor.runtime.FunctionPackage.of(root, "functions/lock-auditor", System.err);
            Map<String, String> throughProxy = new HashMap<>(env);
            throughProxy.put("AWS_ENDPOINT_URL", proxy.endpoint());
            SamTemplate.Function stateEvents = template.function("StateEventsFunction", values);
            SamTemplate.Function sweepFunction = template.function("StaleLockSweepFunction", values);
            Set<String> metrics = new TreeSet<>();
            Unit apply;
            Unit plan;
            Unit callerRecord;
            ByteArrayOutputStream logs = new ByteArrayOutputStream();
            try (LambdaProcess process = LambdaProcess.start(stateEvents, packageFolder, throughProxy, logs,
                    new LambdaProcess.Jvm(jdk, false))) {
                Terraform terraform = new Terraform(stack, process, proxy, logs);
                for (int i = 0; i < 3; i++) {
                    terraform.apply("warmup-" + i + "/terraform.tfstate", 1);
                    terraform.plan("warmup-" + i + "/terraform.tfstate");
                }
                apply = terraform.average(applies, n -> terraform.apply("team/stack-" + n + "/terraform.tfstate", 2));
                plan = terraform.average(plans, n -> terraform.plan("team/stack-" + n + "/terraform.tfstate"));
                metrics.addAll(metricsIn(logs));
            }
            values.put("CallerEnrichment", "create-trail");
            logs.reset();
            try (LambdaProcess process = LambdaProcess.start(template.function("StateEventsFunction", values),
                    packageFolder, throughProxy, logs, new LambdaProcess.Jvm(jdk, false))) {
                Terraform terraform = new Terraform(stack, process, proxy, logs);
                for (int i = 0; i < 3; i++) {
                    terraform.callerRecord("warmup-" + i + "/terraform.tfstate");
                }
                callerRecord = terraform.average(plans, n -> terraform.callerRecord("team/stack-" + n + "/terraform.tfstate"));
                metrics.addAll(metricsIn(logs));
            }
            Unit sweep;
            logs.reset();
            try (LambdaProcess process = LambdaProcess.start(sweepFunction, packageFolder, throughProxy, logs,
                    new LambdaProcess.Jvm(jdk, false))) {
                Terraform terraform = new Terraform(stack, process, proxy, logs);
                byte[] scheduled = Files.readAllBytes(root.resolve("events/scheduled-sweep.json"));
                for (int i = 0; i < 3; i++) {
                    terraform.invoke(scheduled);  // the day's full listing and the backfill come first
                }
                logs.reset();  // the backfill's own metrics are once, not every month
                sweep = terraform.average(20, n -> terraform.invoke(scheduled));
                metrics.addAll(metricsIn(logs));
            }
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            aws.dynamoDb().scanPaginator(b -> b.tableName(stack.historyTable)).items().forEach(items::add);
            long bytes = items.stream().mapToLong(TeamDayCost::itemBytes).sum();
            long applyItems = items.stream().filter(item -> item.get("statePath").s().contains("/team/stack-")
                    && !item.get("event").s().startsWith("LOCK_") ).count();
            long lockItems = items.stream().filter(item -> item.get("statePath").s().contains("/team/stack-")
                    && item.get("event").s().startsWith("LOCK_")).count();
            // Each plan and each apply leaves a lock session (two items); an apply adds its write.
            double perPlan = 2.0;
            double perApply = 2.0 + (double) applyItems / applies;
            if (lockItems != 2L * (applies + plans)) {
                throw new IllegalStateException("expected a lock session per run, found " + lockItems + " lock items");
            }
            return new Measured(apply, plan, sweep, callerRecord, (double) bytes / items.size(), perApply, perPlan,
                    metrics, stateEvents.memoryMb());
        }
    }

    /** The distinct metrics (namespace, name, dimension values) in embedded-metric-format lines. */
    private static Set<String> metricsIn(ByteArrayOutputStream logs) throws Exception {
        Set<String> metrics = new TreeSet<>();
        for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("{\"_aws\"")) {
                continue;
            }
            JsonNode emf = JSON.readTree(line);
            for (JsonNode directive : emf.at("/_aws/CloudWatchMetrics")) {
                for (JsonNode dimensions : directive.get("Dimensions")) {
                    StringBuilder values = new StringBuilder();
                    dimensions.forEach(d -> values.append(d.asText()).append('=').append(emf.path(d.asText()).asText())
                            .append(','));
                    for (JsonNode metric : directive.get("Metrics")) {
                        metrics.add(directive.get("Namespace").asText() + "/" + metric.get("Name").asText() + "{"
                                + values + "}");
                    }
                }
            }
        }
        return metrics;
    }

    /** An item's size as DynamoDB counts it: attribute names and values. */
    private static long itemBytes(Map<String, AttributeValue> item) {
        long bytes = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            AttributeValue value = attribute.getValue();
            bytes += attribute.getKey().getBytes(StandardCharsets.UTF_8).length;
            bytes += value.s() != null ? value.s().getBytes(StandardCharsets.UTF_8).length
                    : value.n() != null ? (value.n().length() + 1) / 2 + 1 : value.bool() != null ? 1
                    : value.toString().length();
        }
        return bytes;
    }

    /** Terraform's runs on the bucket, each followed by its object events handed to the function. */
    private final class Terraform {

        private interface Run {
            void run(int n) throws Exception;
        }

        private final EmulatedStack stack;
        private final LambdaProcess process;
        private final MotoProxy proxy;
        private final ByteArrayOutputStream logs;
        private int invocations;
        private double billedMs;

        Terraform(EmulatedStack stack, LambdaProcess process, MotoProxy proxy, ByteArrayOutputStream logs) {
            this.stack = stack;
            this.process = process;
            this.proxy = proxy;
            this.logs = logs;
        }

        /** The mean cost of {@code count} runs. */
        Unit average(int count, Run each) throws Exception {
            int callsBefore = proxy.calls.size();
            int invocationsBefore = invocations;
            double billedBefore = billedMs;
            int logBytesBefore = logs.size();
            for (int n = 0; n < count; n++) {
                each.run(n);
            }
            Map<String, Double> requests = new TreeMap<>();
            for (AwsCall call : proxy.calls.subList(callsBefore, proxy.calls.size())) {
                requests.merge(call.action(), 1.0 / count, Double::sum);
            }
            return new Unit((double) (invocations - invocationsBefore) / count, (billedMs - billedBefore) / count,
                    requests, (double) (logs.size() - logBytesBefore) / count);
        }

        void apply(String key, int serial) throws Exception {
            var s3 = stack.aws.s3();
            String bucket = stack.backend.bucket;
            Instant at = Instant.now();
            var taken = lock(key, "OperationTypeApply", at);
            var written = s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"),
                    RequestBody.fromString(state(serial), StandardCharsets.UTF_8));
            var released = s3.deleteObject(b -> b.bucket(bucket).key(key + ".tflock"));
            invoke(event("s3-lock-file-created.json", bucket, key + ".tflock", at, taken.versionId(), taken.eTag()));
            invoke(event("s3-state-written.json", bucket, key, at, written.versionId(), written.eTag()));
            invoke(event("s3-lock-file-deleted.json", bucket, key + ".tflock", at, released.versionId(), null));
        }

        void plan(String key) throws Exception {
            var s3 = stack.aws.s3();
            String bucket = stack.backend.bucket;
            Instant at = Instant.now();
            var taken = lock(key, "OperationTypePlan", at);
            var released = s3.deleteObject(b -> b.bucket(bucket).key(key + ".tflock"));
            invoke(event("s3-lock-file-created.json", bucket, key + ".tflock", at, taken.versionId(), taken.eTag()));
            invoke(event("s3-lock-file-deleted.json", bucket, key + ".tflock", at, released.versionId(), null));
        }

        /** The state's lock file written, as Terraform writes it (only if none is there). */
        private software.amazon.awssdk.services.s3.model.PutObjectResponse lock(String key, String operation, Instant at) {
            LockInfo lock = new LockInfo(UUID.randomUUID().toString(), operation, "", "ci@runner-7f9c", "1.11.2",
                    at.toString(), stack.backend.bucket + "/" + key);
            return stack.aws.s3().putObject(b -> b.bucket(stack.backend.bucket).key(key + ".tflock")
                    .contentType("application/json").ifNoneMatch("*"),
                    RequestBody.fromString(lock.toJson(), StandardCharsets.UTF_8));
        }

        /** CloudTrail's record of a lock file's write (events/cloudtrail-s3-put-object.json's shape). */
        void callerRecord(String key) throws Exception {
            ObjectNode record = (ObjectNode) JSON.readTree(sample("cloudtrail-s3-put-object.json"));
            ObjectNode detail = (ObjectNode) record.get("detail");
            String time = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            record.put("time", time).put("id", UUID.randomUUID().toString());
            detail.put("eventTime", time).put("requestID", UUID.randomUUID().toString());
            ((ObjectNode) detail.get("requestParameters")).put("bucketName", stack.backend.bucket)
                    .put("key", key + ".tflock");
            invoke(JSON.writeValueAsBytes(record));
        }

        void invoke(byte[] event) throws Exception {
            byte[] delivered = process.function().name().equals("StateEventsFunction")
                    ? SqsEnvelope.ifBare(event, "us-east-1") : event;
            RuntimeApi.Invocation invocation = process.invoke(delivered);
            if (invocation.error() || invocation.body().contains("\"itemIdentifier\"")) {
                throw new IllegalStateException(process.function().name() + " did not take the event: "
                        + invocation.body());
            }
            invocations++;
            // Lambda bills each invocation's duration rounded up to the millisecond.
            billedMs += Math.ceil(invocation.duration().toNanos() / 1e6);
        }

        private byte[] event(String sample, String bucket, String key, Instant at, String versionId, String etag)
                throws Exception {
            ObjectNode event = (ObjectNode) JSON.readTree(sample(sample));
            event.put("time", at.toString()).put("id", UUID.randomUUID().toString());
            ((ObjectNode) event.at("/detail/bucket")).put("name", bucket);
            ObjectNode object = (ObjectNode) event.at("/detail/object");
            object.put("key", key).put("version-id", versionId)
                    .put("sequencer", Long.toHexString(System.nanoTime()).toUpperCase());
            if (etag != null) {
                object.put("etag", etag.replace("\"", ""));
            }
            return JSON.writeValueAsBytes(event);
        }

        private byte[] sample(String name) throws Exception {
            return Files.readAllBytes(root.resolve("events").resolve(name));
        }

        /** A state of about 20 KB, as a small workspace's: the function reads its first 64 KiB at most. */
        private static String state(int serial) {
            StringBuilder resources = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                resources.append(i == 0 ? "" : ",").append("{\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"b")
                        .append(i).append("\",\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\",")
                        .append("\"instances\":[{\"schema_version\":0,\"attributes\":{\"bucket\":\"bucket-").append(i)
                        .append("\",\"tags\":{\"team\":\"platform\"},\"arn\":\"arn:aws:s3:::bucket-").append(i)
                        .append("\",\"policy\":\"").append("x".repeat(300)).append("\"}}]}");
            }
            return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial
                    + ",\n  \"lineage\": \"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\",\n  \"outputs\": {},\n"
                    + "  \"resources\": [" + resources + "]\n}\n";
        }
    }
}

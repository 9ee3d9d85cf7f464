package dev.lockauditor.bench;

import dev.lockauditor.config.Environments;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.TerraformS3Backend;
import dev.lockauditor.runtime.LocalContext;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.terraform.LockInfo;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * What one sweep costs as the bucket grows: a backend with a few locks (lock table items and lock files) and states,
 * and thousands of other objects beside them (modules, plans, other teams' files). S3 requests are counted by an SDK
 * interceptor; DynamoDB read units are computed from the items each read returned, as DynamoDB bills strongly
 * consistent reads (4 KB a unit, at least one a request), since moto reports no consumed capacity.
 */
final class SweepCost {

    /**
     * @param s3Requests         S3 requests of a sweep between full listings
     * @param s3ListRequests     of which list requests
     * @param readUnits          DynamoDB read units of that sweep
     * @param fullListingRequests S3 requests of the full listing, over the sweeps it took
     * @param fullListingSweeps  how many sweeps the full listing took
     */
    record Cost(int s3Requests, int s3ListRequests, double readUnits, int fullListingRequests, int fullListingSweeps) {
    }

    private final AtomicInteger s3Requests = new AtomicInteger();
    private final AtomicInteger s3Lists = new AtomicInteger();
    private final DoubleAdder readUnits = new DoubleAdder();
    private final Map<String, String> env;

    SweepCost(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Sets up a backend with {@code otherObjects} objects beside its states and locks, records the locks' events, and
     * sweeps: the first sweeps make the full listing, a few pages each (once a day), then one sweep as every other
     * sweep of the day runs.
     */
    Cost measure(String name, int otherObjects) throws Exception {
        AwsClients moto = AwsClients.forTools(env);
        TerraformS3Backend backend = new TerraformS3Backend(moto, name + "-tfstate", name + "-locks")
                .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        String historyTable = name + "-history";
        LocalResources.ensureHistoryTable(moto.dynamoDb(), historyTable);
        Map<String, String> settings = new HashMap<>(env);
        settings.put("LOCK_TABLE", backend.lockTable);
        settings.put("STATE_BUCKET", backend.bucket);
        settings.put("HISTORY_TABLE", historyTable);
        // The lock files are made just before the first sweep and their events are not replayed: with no lag to
        // wait out, the full listing records and keeps them at once.
        settings.put("LOCK_EVENT_LAG_SECONDS", "0");
        settings.put("LOCK_TABLE_STREAM_ARN", moto.dynamoDb().describeTable(b -> b.tableName(backend.lockTable))
                .table().latestStreamArn());

        ExecutorService puts = Executors.newFixedThreadPool(8);
        for (int i = 0; i < otherObjects; i++) {
            String key = "modules/team-" + (i % 50) + "/artifact-" + i + ".zip";
            puts.submit(() -> moto.s3().putObject(b -> b.bucket(backend.bucket).key(key),
                    RequestBody.fromString("zip", StandardCharsets.UTF_8)));
        }
        puts.shutdown();
        puts.awaitTermination(1, TimeUnit.HOURS);
        for (int i = 0; i < 20; i++) {
            String key = "stack-" + i + "/terraform.tfstate";
            backend.putDigest(key, backend.putState(key, "{\"version\": 4, \"serial\": 1, \"lineage\": \"l\"}"));
        }
        for (int i = 0; i < 3; i++) {
            backend.lock("stack-" + i + "/terraform.tfstate", "OperationTypeApply", "ci@runner");
        }
        for (int i = 3; i < 6; i++) {
            backend.lockFile("stack-" + i + "/terraform.tfstate", "ci@runner");
        }

        Config config = Config.from(settings);
        AwsClients counted = AwsClients.forTools(settings).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                String type = context.request().getClass().getSimpleName();
                if (context.request().getClass().getPackageName().endsWith("s3.model")) {
                    s3Requests.incrementAndGet();
                    if (type.startsWith("ListObjects")) {
                        s3Lists.incrementAndGet();
                    }
                }
            }

            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                SdkResponse response = context.response();
                if (response instanceof QueryResponse query) {
                    readUnits.add(units(query.items().stream().mapToLong(SweepCost::size).sum()));
                } else if (response instanceof ScanResponse scan) {
                    readUnits.add(units(scan.items().stream().mapToLong(SweepCost::size).sum()));
                } else if (response instanceof GetItemResponse get) {
                    readUnits.add(units(get.hasItem() ? size(get.item()) : 0));
                }
            }
        });
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Components components = Components.of(config, counted, Components.historyStore(config, counted),
                alert -> { }, new Metrics(nowhere, Environments.only("bench"), Clock.systemUTC()));
        // The lock table's locks as their stream records tell them (the lock files' events are not replayed: the
        // first sweep's full listing finds them, as it finds whatever the events missed).
        new LockEventsHandler(components).handleRequest(Bench.streamEvent(moto, settings.get("LOCK_TABLE_STREAM_ARN")),
                new LocalContext("LockEventsFunction", nowhere));
        StaleLockSweepHandler sweep = new StaleLockSweepHandler(components);
        int listingRequests = 0;
        for (int run = 1; run <= 1000; run++) {
            s3Requests.set(0);
            s3Lists.set(0);
            readUnits.reset();
            sweep.sweep("bench", new LocalContext("StaleLockSweepFunction", nowhere).getLogger());
            if (s3Lists.get() == 0) {
                return new Cost(s3Requests.get(), s3Lists.get(), readUnits.sum(), listingRequests, run - 1);
            }
            listingRequests += s3Requests.get();
        }
        throw new IllegalStateException("the full listing never completed");
    }

    static double units(long bytes) {
        return Math.max(1, Math.ceil(bytes / 4096.0));
    }

    /** An item's size as DynamoDB counts it: its attribute names and values. */
    static long size(Map<String, AttributeValue> item) {
        long bytes = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            AttributeValue value = attribute.getValue();
            bytes += attribute.getKey().length();
            bytes += value.s() != null ? value.s().getBytes(StandardCharsets.UTF_8).length
                    : value.n() != null ? value.n().length() : 1;
        }
        return bytes;
    }
}

package dev.lockauditor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.metrics.Metrics;
import dev.lockauditor.runtime.LocalContext;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.TerraformS3Backend;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * What the stack's backfill costs: a versioned bucket on lock files, each state written by locked applies (a lock file
 * version, a state version and a delete marker each), backfilled by the sweep as deployed, a budget at a time. S3 and
 * DynamoDB requests are counted by an SDK interceptor.
 */
final class BackfillCost {

    /**
     * @param versions     versions the backfill read (of states and lock files)
     * @param s3Requests   S3 requests of the backfill (listings, ranged GETs)
     * @param ddbRequests  DynamoDB requests of the backfill (history writes and queries)
     * @param sweeps       sweeps it took, each stopping at {@code budget}
     * @param seconds      backfill time in all, against moto
     * @param longest      the longest sweep, in seconds
     */
    record Cost(long versions, int s3Requests, int ddbRequests, int sweeps, double seconds, double longest) {
    }

    private final Map<String, String> env;

    BackfillCost(Map<String, String> env) {
        this.env = env;
    }

    Cost measure(String name, int states, int applies, Duration budget) throws Exception {
        AwsClients moto = AwsClients.forTools(env);
        TerraformS3Backend backend = new TerraformS3Backend(moto, name + "-tfstate", "").createBucket().versioned();
        String historyTable = name + "-history";
        LocalResources.ensureHistoryTable(moto.dynamoDb(), historyTable);
        ExecutorService teams = Executors.newFixedThreadPool(8);
        java.util.List<Future<?>> done = new java.util.ArrayList<>();
        for (int s = 0; s < states; s++) {
            String key = "team-" + (s % 10) + "/stack-" + s + "/terraform.tfstate";
            done.add(teams.submit(() -> {
                for (int serial = 1; serial <= applies; serial++) {
                    backend.lockFile(key, "ci@runner");
                    backend.putState(key, "{\"version\": 4, \"terraform_version\": \"1.11.2\", \"serial\": " + serial
                            + ", \"lineage\": \"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\", \"outputs\": {}, "
                            + "\"resources\": []}");
                    backend.unlockFile(key);
                }
                return null;
            }));
        }
        for (Future<?> each : done) {
            each.get();
        }
        teams.shutdown();
        teams.awaitTermination(1, TimeUnit.MINUTES);

        Map<String, String> settings = new HashMap<>(env);
        settings.put("STATE_BUCKET", backend.bucket);
        settings.put("HISTORY_TABLE", historyTable);
        Config config = Config.from(settings);
        AtomicInteger s3 = new AtomicInteger();
        AtomicInteger ddb = new AtomicInteger();
        AwsClients counted = AwsClients.forTools(settings).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                String service = context.request().getClass().getPackageName();
                (service.endsWith("s3.model") ? s3 : service.endsWith("dynamodb.model") ? ddb : new AtomicInteger())
                        .incrementAndGet();
            }
        });
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Components components = Components.of(config, counted, Components.historyStore(config, counted),
                alert -> { }, new Metrics(nowhere, Environments.only("bench"), Clock.systemUTC()));
        StaleLockSweepHandler sweep = new StaleLockSweepHandler(components);
        // The sweep's own work, before the backfill starts: what is left is the backfill's.
        long versions = 0;
        int s3Backfill = 0;
        int ddbBackfill = 0;
        double seconds = 0;
        double longest = 0;
        for (int run = 1; run <= 10_000; run++) {
            int s3Before = s3.get();
            int ddbBefore = ddb.get();
            long started = System.nanoTime();
            JsonNode result = sweep.sweep("bench", new LocalContext("StaleLockSweepFunction", nowhere).getLogger(),
                    () -> System.nanoTime() - started > budget.toNanos());
            double took = (System.nanoTime() - started) / 1e9;
            JsonNode backfill = result.get("backfill");
            if (backfill == null) {
                return new Cost(versions, s3Backfill, ddbBackfill, run - 1, seconds, longest);
            }
            versions += backfill.get("versionsRead").asLong();
            s3Backfill += s3.get() - s3Before;
            ddbBackfill += ddb.get() - ddbBefore;
            seconds += took;
            longest = Math.max(longest, took);
        }
        throw new IllegalStateException("the backfill never completed");
    }
}

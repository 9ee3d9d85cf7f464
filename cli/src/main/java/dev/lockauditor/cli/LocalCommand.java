package dev.lockauditor.cli;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.lockauditor.audit.LockTableAuditor;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.config.Config;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.metrics.Metrics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * {@code local}: the auditor on this machine, against {@code AWS_ENDPOINT_URL} (an emulated AWS such as
 * moto_server) or AWS itself. It polls the lock table's stream as Lambda would and runs the same handler;
 * stdout carries {@code ready} and {@code history} lines, logs go to stderr.
 */
final class LocalCommand {

    static final String DEFAULT_LOCAL_HISTORY_TABLE = "lock-auditor-history";
    private static final Duration IDLE_WAIT = Duration.ofMillis(500);
    private static final Duration SHARD_DISCOVERY = Duration.ofSeconds(10);

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    LocalCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) {
        Duration duration = parseDuration(args);
        Map<String, String> settings = new HashMap<>(env);
        AwsClients aws = clients(settings);
        boolean loopback = LocalResources.isLoopback(aws.endpoint());
        String lockTable = setting("LOCK_TABLE", settings.get("LOCK_TABLE"));
        if (loopback) {
            settings.putIfAbsent("HISTORY_TABLE", DEFAULT_LOCAL_HISTORY_TABLE);
        }
        Config config = Config.from(settings);
        String historyTable = setting("HISTORY_TABLE", config.historyTable());
        String streamArn = lockTableStream(aws, lockTable);
        attachHistoryTable(aws, historyTable, loopback);

        JsonLines lines = new JsonLines(out);
        LockEventsHandler handler = new LockEventsHandler(new LockTableAuditor(config.workspaceKeyPrefix()),
                new PrintingHistoryStore(new DynamoDbHistoryStore(aws.dynamoDb(), historyTable,
                        Duration.ofDays(config.historyRetentionDays())), lines),
                new Metrics(err, config.environmentName(), Clock.systemUTC()));
        PojoSerializer<DynamodbEvent> events = LambdaEventSerializers.serializerFor(DynamodbEvent.class,
                getClass().getClassLoader());
        StreamPoller poller = new StreamPoller(aws.dynamoDbStreams(), streamArn, records -> {
            DynamodbEvent event = events.fromJson(LambdaStreamEvents.toEventJson(records, streamArn));
            StreamsEventResponse response = handler.handleRequest(event, new LocalContext("LockEventsFunction", err));
            List<StreamsEventResponse.BatchItemFailure> failures = response.getBatchItemFailures();
            return failures.isEmpty() ? null : failures.get(0).getItemIdentifier();
        });
        int shards = attach(poller);

        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("lockTable", lockTable);
        ready.put("streamArn", streamArn);
        ready.put("shards", shards);
        ready.put("historyTable", historyTable);
        ready.put("endpoint", aws.endpoint() == null ? "aws" : aws.endpoint().toString());
        ready.put("region", aws.region().id());
        lines.print("ready", ready);

        poll(poller, duration);
        return 0;
    }

    private void poll(StreamPoller poller, Duration duration) {
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        long nextDiscovery = System.nanoTime() + SHARD_DISCOVERY.toNanos();
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            int handled = 0;
            try {
                if (System.nanoTime() >= nextDiscovery) {
                    poller.discoverShards();
                    nextDiscovery = System.nanoTime() + SHARD_DISCOVERY.toNanos();
                }
                handled = poller.pollOnce();
            } catch (AbortedException e) {
                return;
            } catch (SdkException e) {
                err.println("lock-auditor: reading the stream failed, trying again: " + e.getMessage());
            }
            if (handled == 0) {
                sleep(Math.min(IDLE_WAIT.toNanos(), Math.max(0, deadline - System.nanoTime())));
            }
        }
    }

    private AwsClients clients(Map<String, String> settings) {
        try {
            return AwsClients.forTools(settings);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new Main.SetupException(e.getMessage());
        }
    }

    private static String setting(String name, String value) {
        try {
            return Config.required(name, value);
        } catch (IllegalStateException e) {
            throw new Main.SetupException(e.getMessage());
        }
    }

    private static String lockTableStream(AwsClients aws, String lockTable) {
        TableDescription table;
        try {
            table = aws.dynamoDb().describeTable(b -> b.tableName(lockTable)).table();
        } catch (ResourceNotFoundException e) {
            throw new Main.SetupException("LOCK_TABLE '" + lockTable + "' does not exist at " + where(aws));
        } catch (SdkException e) {
            throw new Main.SetupException("cannot read LOCK_TABLE '" + lockTable + "' at " + where(aws) + ": "
                    + e.getMessage());
        }
        boolean lockIdKey = table.keySchema().stream().anyMatch(k -> k.attributeName().equals("LockID"));
        if (!lockIdKey) {
            throw new Main.SetupException("LOCK_TABLE '" + lockTable + "' has no LockID key: not a Terraform lock table");
        }
        if (table.latestStreamArn() == null || table.streamSpecification() == null
                || !Boolean.TRUE.equals(table.streamSpecification().streamEnabled())) {
            throw new Main.SetupException("LOCK_TABLE '" + lockTable + "' has no stream; turn it on with "
                    + "stream_enabled = true and stream_view_type = \"NEW_AND_OLD_IMAGES\" (see README.md)");
        }
        if (table.streamSpecification().streamViewType() != StreamViewType.NEW_AND_OLD_IMAGES) {
            throw new Main.SetupException("LOCK_TABLE '" + lockTable + "' has a " + table.streamSpecification()
                    .streamViewTypeAsString() + " stream; the auditor needs NEW_AND_OLD_IMAGES");
        }
        return table.latestStreamArn();
    }

    private void attachHistoryTable(AwsClients aws, String historyTable, boolean loopback) {
        if (loopback) {
            if (LocalResources.ensureHistoryTable(aws.dynamoDb(), historyTable)) {
                err.println("lock-auditor: created history table '" + historyTable + "' at " + where(aws));
            }
            return;
        }
        try {
            aws.dynamoDb().describeTable(b -> b.tableName(historyTable));
        } catch (ResourceNotFoundException e) {
            throw new Main.SetupException("HISTORY_TABLE '" + historyTable + "' does not exist at " + where(aws)
                    + "; deploy the stack (sam deploy) and use its history table");
        }
    }

    private static int attach(StreamPoller poller) {
        try {
            return poller.attach();
        } catch (SdkException e) {
            throw new Main.SetupException("cannot read the lock table's stream: " + e.getMessage());
        }
    }

    private static String where(AwsClients aws) {
        return aws.endpoint() == null ? "AWS (" + aws.region().id() + ")" : aws.endpoint().toString();
    }

    private static Duration parseDuration(List<String> args) {
        Duration duration = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--duration") && i + 1 < args.size()) {
                try {
                    duration = Duration.ofSeconds(Long.parseLong(args.get(++i)));
                } catch (NumberFormatException e) {
                    throw new Main.UsageException("--duration takes a whole number of seconds");
                }
            } else {
                throw new Main.UsageException("local: unknown option '" + args.get(i) + "'");
            }
        }
        return duration;
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

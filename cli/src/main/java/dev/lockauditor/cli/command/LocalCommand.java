package dev.lockauditor.cli.command;

import dev.lockauditor.api.LocalFunctions;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.output.Lines;
import dev.lockauditor.cli.output.PrintingAlertPublisher;
import dev.lockauditor.cli.output.PrintingHistoryStore;
import dev.lockauditor.config.Config;
import dev.lockauditor.runtime.LambdaStreamEvents;
import dev.lockauditor.runtime.LocalContext;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.StateEventsConsumer;
import dev.lockauditor.runtime.StreamPoller;
import dev.lockauditor.runtime.UsageException;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@code local}: the auditor on this machine, against {@code AWS_ENDPOINT_URL} (an emulated AWS such as
 * moto_server) or AWS itself. It polls the lock table's stream as Lambda would, consumes the state bucket's
 * events, and runs the same handlers; stdout carries {@code ready}, {@code history} and {@code alert} lines,
 * logs go to stderr.
 */
public final class LocalCommand {

    private static final Duration IDLE_WAIT = Duration.ofMillis(500);
    private static final Duration SHARD_DISCOVERY = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int FATAL_AFTER = 5;

    private final Map<String, String> env;
    private final Lines lines;
    private final PrintStream err;
    private final PrintStream logs;

    /**
     * @param err  what a person should read: starting, waiting, what went wrong
     * @param logs the functions' own log lines and embedded-metric-format metrics
     */
    LocalCommand(Map<String, String> env, Lines lines, PrintStream err, PrintStream logs) {
        this.env = env;
        this.lines = lines;
        this.err = err;
        this.logs = logs;
    }

    /** {@code local [--demo] [--duration S] [--sweep-every S] [--format json|text] [--verbose]}. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
        Options options = Options.parse(args);
        Lines lines = Lines.of(options.format(), out, terminal);
        PrintStream logs = options.verbose() || !terminal ? err : logFile(err);
        return options.demo() ? new DemoCommand(env, err, logs).run(options, lines)
                : new LocalCommand(env, lines, err, logs).watch(options);
    }

    /** On a terminal, the functions' logs and metrics go to a file, so that the timeline stays readable. */
    private static PrintStream logFile(PrintStream err) {
        try {
            Path file = Files.createTempFile("lock-auditor-", ".log");
            err.println("lock-auditor: the functions' logs and metrics go to " + file + " (--verbose shows them here)");
            return new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("lock-auditor: no log file (" + e.getMessage() + "): logs and metrics are shown here");
            return err;
        }
    }

    int watch(Options options) {
        Duration duration = options.duration();
        Map<String, String> settings = new HashMap<>(env);
        AwsClients aws = LocalResources.clients(settings);
        LocalResources resources = new LocalResources(aws, err);
        String lockTable = settings.getOrDefault("LOCK_TABLE", "");
        String stateBucket = settings.getOrDefault("STATE_BUCKET", "");
        if (lockTable.isBlank() && stateBucket.isBlank()) {
            throw new SetupException("STATE_BUCKET is not set: name the backend to watch (and LOCK_TABLE, when it "
                    + "has a lock table)");
        }
        String streamArn = lockTable.isBlank() ? null : resources.lockTableStream(lockTable);
        if (streamArn != null) {
            // Read to tell whether every lock change up to a state write's time is recorded.
            settings.put("LOCK_TABLE_STREAM_ARN", streamArn);
        }
        if (!stateBucket.isBlank()) {
            resources.requireBucket(stateBucket);
        }
        settings.put("HISTORY_TABLE", resources.historyTable(settings.get("HISTORY_TABLE")));
        settings.put("ALERT_TOPIC_ARN", resources.alertTopic(settings.get("ALERT_TOPIC_ARN")));
        // The queue the bucket's events arrive on also brings back an event whose checks cannot be decided yet.
        String queueUrl = stateBucket.isBlank() ? null
                : resources.stateEventsQueue(stateBucket, settings.get("STATE_EVENTS_QUEUE_URL"));
        if (queueUrl != null) {
            settings.put("STATE_EVENTS_QUEUE_URL", queueUrl);
        }
        Config config = Config.from(settings);

        LocalFunctions functions = LocalFunctions.of(config, aws,
                history -> new PrintingHistoryStore(history, lines, config.environmentsByKey()),
                (publisher, origin) -> new PrintingAlertPublisher(publisher, origin, lines), logs);

        List<IntSupplier> pollers = new ArrayList<>();
        List<AutoCloseable> closing = new ArrayList<>();
        Map<String, Object> ready = new LinkedHashMap<>();
        if (streamArn != null) {
            StreamPoller poller = streamPoller(aws, streamArn, functions.lockEvents());
            int shards = attach(poller);
            pollers.add(discovering(poller));
            ready.put("lockTable", lockTable);
            ready.put("streamArn", streamArn);
            ready.put("shards", shards);
        }
        if (queueUrl != null) {
            SqsClient sqs = aws.sqs();
            String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                    .attributesAsStrings().get("QueueArn");
            StateEventsConsumer consumer = new StateEventsConsumer(
                    new StateEventsConsumer.Queue(sqs, queueUrl, queueArn, aws.region().id()),
                    functions.stateEvents(), () -> new LocalContext("StateEventsFunction", logs), err);
            closing.add(consumer);
            pollers.add(consumer::pollOnce);
            ready.put("stateBucket", stateBucket);
            ready.put("stateEventsQueue", queueUrl);
        }
        Runnable sweepOnce = () -> functions.sweep("local runner", new LocalContext("StaleLockSweepFunction", logs).getLogger());
        // The first sweep runs before the runner says it is ready: what it finds is the backend as it was then.
        sweepOnce.run();
        pollers.add(every(options.sweepEvery(), sweepOnce));
        ready.put("sweepEverySeconds", options.sweepEvery().toSeconds());
        ready.put("historyTable", config.kept().historyTable());
        ready.put("alertTopicArn", config.alerting().alertTopicArn());
        ready.put("endpoint", aws.endpoint() == null ? "aws" : aws.endpoint().toString());
        ready.put("region", aws.region().id());
        lines.print("ready", ready);

        String stopped = runAll(pollers, duration);
        for (AutoCloseable resource : closing) {
            try {
                resource.close();
            } catch (Exception e) {
                err.println("lock-auditor: " + e.getMessage());
            }
        }
        if (stopped != null) {
            err.println("lock-auditor: stopped: " + stopped);
            return 1;
        }
        return 0;
    }

    private StreamPoller streamPoller(AwsClients aws, String streamArn,
                                      RequestHandler<DynamodbEvent, StreamsEventResponse> handler) {
        PojoSerializer<DynamodbEvent> events = LambdaEventSerializers.serializerFor(DynamodbEvent.class,
                getClass().getClassLoader());
        return new StreamPoller(aws.dynamoDbStreams(), streamArn, records -> {
            DynamodbEvent event = events.fromJson(LambdaStreamEvents.toEventJson(records, streamArn));
            StreamsEventResponse response = handler.handleRequest(event, new LocalContext("LockEventsFunction", logs));
            List<StreamsEventResponse.BatchItemFailure> failures = response.getBatchItemFailures();
            return failures.isEmpty() ? null : failures.get(0).getItemIdentifier();
        });
    }

    /** Runs the sweep every {@code interval} from now, as the schedule does. */
    private static IntSupplier every(Duration interval, Runnable sweep) {
        long[] next = {System.nanoTime() + interval.toNanos()};
        return () -> {
            if (System.nanoTime() < next[0]) {
                return 0;
            }
            next[0] = System.nanoTime() + interval.toNanos();
            sweep.run();
            return 0;
        };
    }

    /** The stream poller, looking for new shards every so often. */
    private static IntSupplier discovering(StreamPoller poller) {
        long[] nextDiscovery = {System.nanoTime() + SHARD_DISCOVERY.toNanos()};
        return () -> {
            if (System.nanoTime() >= nextDiscovery[0]) {
                poller.discoverShards();
                nextDiscovery[0] = System.nanoTime() + SHARD_DISCOVERY.toNanos();
            }
            return poller.pollOnce();
        };
    }

    /**
     * Runs each poller on its own thread (a handler waiting for late lock events must not hold up the stream
     * that brings them) until the duration is over, this thread is interrupted, or a poller cannot go on.
     *
     * @return why a poller could not go on, or null
     */
    private String runAll(List<IntSupplier> pollers, Duration duration) {
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.CompletableFuture<String> stopped = new java.util.concurrent.CompletableFuture<>();
        for (IntSupplier poller : pollers) {
            String name = "lock-auditor-poller-" + threads.size();
            Thread thread = new Thread(() -> {
                String reason = poll(poller, deadline);
                stopped.complete(reason == null ? null : name + ": " + reason);
            }, name);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        try {
            for (Thread thread : threads) {
                while (thread.isAlive()) {
                    String reason = stopped.getNow(null);
                    if (reason != null) {
                        threads.forEach(Thread::interrupt);
                        return reason;
                    }
                    thread.join(200);
                }
            }
            return stopped.getNow(null);
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Polls until the deadline. A failure is logged and the poll tried again after a back-off that doubles up to
     * {@link #MAX_BACKOFF}; a failure no retry can fix (access denied, a table or queue gone, a bug) ends the poller
     * once it has repeated {@link #FATAL_AFTER} times in a row.
     *
     * @return why the poller could not go on, or null when it ran to the end
     */
    String poll(IntSupplier poller, long deadline) {
        long backoff = 0;
        int fatalInARow = 0;
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            int handled;
            try {
                handled = poller.getAsInt();
                backoff = 0;
                fatalInARow = 0;
            } catch (AbortedException e) {
                return null;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return null;
                }
                String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
                fatalInARow = retryable(e) ? 0 : fatalInARow + 1;
                if (fatalInARow >= FATAL_AFTER) {
                    return reason;
                }
                backoff = Math.min(MAX_BACKOFF.toNanos(), backoff == 0 ? IDLE_WAIT.toNanos() : backoff * 2);
                err.println("lock-auditor: " + Thread.currentThread().getName() + " failed, trying again in "
                        + Duration.ofNanos(backoff).toMillis() + " ms: " + reason);
                sleep(Math.min(backoff, Math.max(0, deadline - System.nanoTime())));
                continue;
            } catch (Error e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (handled == 0) {
                sleep(Math.min(IDLE_WAIT.toNanos(), Math.max(0, deadline - System.nanoTime())));
            }
        }
        return null;
    }

    /**
     * Whether a retry can fix a failure: the endpoint unreachable or resetting connections, throttling, a server
     * error. An answer such as access denied or a resource that does not exist is not.
     */
    static boolean retryable(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service) {
                return service.isThrottlingException() || service.statusCode() >= 500 || service.statusCode() == 0;
            }
            if (cause instanceof java.io.IOException || cause instanceof java.io.UncheckedIOException
                    || cause instanceof software.amazon.awssdk.core.exception.SdkClientException) {
                return true;
            }
        }
        return e instanceof IllegalStateException;
    }

    private static int attach(StreamPoller poller) {
        try {
            return poller.attach();
        } catch (SdkException e) {
            throw new SetupException("cannot read the lock table's stream: " + e.getMessage());
        }
    }

    /**
     * {@code --duration SECONDS} (default: until stopped), {@code --sweep-every SECONDS} (default 60),
     * {@code --format json|text} (default: text on a terminal, JSON lines otherwise), {@code --demo},
     * {@code --verbose} (the functions' logs and metrics on stderr even on a terminal).
     */
    record Options(Duration duration, Duration sweepEvery, String format, boolean demo, boolean verbose) {

        static final CommandLine.Spec SPEC = new CommandLine.Spec("local", List.of(),
                "Run the auditor against AWS_ENDPOINT_URL (or AWS): read STATE_BUCKET's events, poll LOCK_TABLE's\n"
                        + "stream when the backend has a lock table, sweep for stale locks. With --demo: start moto_server, create a Terraform backend in it,\n"
                        + "replay a team's day on it and show what the auditor records and raises. On a terminal it prints\n"
                        + "a timeline, and the functions' logs and metrics go to a file it names; otherwise one JSON object\n"
                        + "per line, logs and metrics on stderr.",
                List.of(CommandLine.Option.flag("--demo", "replay a team's day on a backend of its own"),
                        CommandLine.Option.valued("--duration", "SECONDS", "stop after this long (default: until stopped)"),
                        CommandLine.Option.valued("--sweep-every", "SECONDS", "how often the sweep runs (default 60)"),
                        CommandLine.Option.valued("--format", "json|text", "default: text on a terminal, JSON lines otherwise"),
                        CommandLine.Option.flag("--verbose", "the functions' logs and metrics on stderr, even on a terminal")));

        static Options parse(List<String> args) {
            CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
            String format = parsed.value("--format", null);
            if (format != null && !format.equals("json") && !format.equals("text")) {
                throw new UsageException("--format is json or text, not '" + format + "'");
            }
            return new Options(parsed.seconds("--duration", null), parsed.seconds("--sweep-every", Duration.ofSeconds(60)),
                    format, parsed.flag("--demo"), parsed.flag("--verbose"));
        }
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

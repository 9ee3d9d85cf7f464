package dev.lockauditor.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.SqsRechecks;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.handler.Components;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.handler.StateEventsHandler;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.metrics.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A team's day on one Terraform backend, audited by the functions as deployed (their components, on moto, through a
 * {@link FaultyEndpoint}) while faults strike at random: outages, throttling, internal errors, answers lost after the
 * request was carried out, the lock table's stream held back for minutes, batches and messages delivered again,
 * invocations that die partway. The team applies and plans on a handful of states (locked by the lock table, by lock
 * files, or both), runs one apply with {@code -lock=false}, rolls one state back, has one CI job killed with its lock
 * held (and runs {@code force-unlock} once paged), and deletes one workspace. Everything is drawn from one seed, and
 * time is a {@link DayClock}: an hour of stale lock costs no wall time.
 *
 * <p>Each run declares what it must leave behind ({@link Expectations}); when the team is done the faults stop, every
 * delivery and retry drains, the clock moves past every lag, claim and recheck, and the history table and the alerts
 * the topic delivered (to a queue subscribed to it) are compared with what was declared: every entry once, every
 * alert once, nothing else.
 */
public final class FaultDay {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger DAYS = new AtomicInteger();
    /** The alerts about one write, told apart by the serial it wrote. */
    private static final Set<String> ABOUT_A_WRITE = Set.of(AlertType.UNLOCKED_WRITE.name(),
            AlertType.SERIAL_REGRESSION.name());
    private static final List<String> TEAM = List.of("alice@laptop-4f1c", "bob@mbp-77a0", "ci@runner-7f9c",
            "@ip-10-0-3-17");

    /**
     * How long a day is and how hard the faults strike.
     *
     * @param runs             the team's runs (steps a minute or three apart)
     * @param rates            the faults that strike single requests
     * @param outageChance     at each step, the chance the endpoint goes down for 20 to 90 seconds (outages at least
     *                         ten minutes apart)
     * @param lagChance        at each step, the chance the lock stream is held back for 1 to 6 minutes
     * @param crash            the chance an invocation dies partway
     * @param queueRedelivery  the chance a handled queue message is delivered again
     * @param streamRedelivery the chance a handled stream batch is delivered again
     */
    public record Settings(int runs, FaultyEndpoint.Rates rates, double outageChance, double lagChance, double crash,
                           double queueRedelivery, double streamRedelivery) {

        /** A day for CI: thirty runs, every kind of fault several times. */
        public static Settings standard() {
            return new Settings(30, new FaultyEndpoint.Rates(0.006, 0.006, 0.012), 0.08, 0.12, 0.06, 0.04, 0.08);
        }
    }

    /**
     * What a day came to.
     *
     * @param events       the history entries expected (alerts included)
     * @param alerts       the alerts expected
     * @param lost         expected entries and alerts missing
     * @param doubled      entries and alerts found more often than expected
     * @param falseAlarms  alerts delivered that nobody expected
     * @param unexpected   history entries nobody expected
     * @param deadLettered stream records and queue messages that went to a dead-letter queue
     * @param republished  alerts published again while their claim was still pending: the first publication's outcome
     *                     was not known (its answer lost, or the invocation died or failed before marking the alert
     *                     raised), and {@code OnceAlerts} delivers at least once. Counted apart from {@code doubled},
     *                     which counts alerts published again after history had them raised
     * @param unmarked     alerts left claimed and never marked raised
     */
    public record Result(long seed, int events, int alerts, FaultCounts faults, int outages, int lost, int doubled,
                         int falseAlarms, int unexpected, int unmarked, int deadLettered, int republished,
                         int requests, int invocations, Duration day, Duration wall, List<String> differences) {

        /** Nothing lost, nothing doubled, no false alarm, nothing unexpected, every alert marked raised. */
        public boolean clean() {
            return lost == 0 && doubled == 0 && falseAlarms == 0 && unexpected == 0 && unmarked == 0;
        }

        public String summary() {
            return "seed " + seed + ": " + events + " history entries and " + alerts + " alerts expected; "
                    + faults.total() + " faults injected (" + faults + "; " + outages + " outages) over "
                    + requests + " requests and " + invocations + " invocations; lost " + lost + ", doubled "
                    + doubled + ", false alarms " + falseAlarms + ", unexpected " + unexpected + ", never marked "
                    + "raised " + unmarked + ", dead-lettered " + deadLettered + ", published again while pending "
                    + republished + "; " + day.toMinutes() + " minutes of day in " + wall.toMillis() / 1000.0 + " s";
        }
    }

    private final long seed;
    private final Settings settings;
    private final Random random;
    private final DayClock clock;
    private final FaultCounts counts = new FaultCounts();
    private final Expectations expected = new Expectations();
    private final PriorityQueue<Timed> agenda = new PriorityQueue<>();
    private final List<String> delivered = new ArrayList<>();
    /** By alert, how many times it was published when history already had it raised. */
    private final Map<String, Integer> publishedWhenRaised = new TreeMap<>();
    private long order;

    private EmulatedStack stack;
    private FaultyEndpoint endpoint;
    private EventSources sources;
    private Team team;
    private boolean faulty;
    private int steps;
    private int outages;
    private int killAt;
    private int rollbackAt;
    private int deleteAt;
    private List<Integer> unlockedAt;
    private int sureOutageAt;
    private Instant calmUntil = Instant.MIN;
    private int sureLagAt;
    private Team.State killed;
    private boolean forceUnlockPlanned;
    private Timed unpaged;
    private boolean rolledBack;
    private boolean workspaceDeleted;

    private record Timed(Instant at, long order, Runnable action) implements Comparable<Timed> {
        @Override
        public int compareTo(Timed other) {
            int byTime = at.compareTo(other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    private FaultDay(long seed, Settings settings) {
        this.seed = seed;
        this.settings = settings;
        this.random = new Random(seed);
        this.clock = new DayClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** One day against the moto_server at {@code motoEndpoint}, its every choice drawn from {@code seed}. */
    public static Result run(String motoEndpoint, long seed, Settings settings) throws IOException {
        return new FaultDay(seed, settings).run(motoEndpoint);
    }

    private Result run(String motoEndpoint) throws IOException {
        long started = System.nanoTime();
        Instant dawn = clock.instant();
        Map<String, String> moto = motoEnvironment(motoEndpoint);
        AwsClients aws = AwsClients.forTools(moto);
        String prefix = "fd-" + Long.toHexString(seed).toLowerCase() + "-" + DAYS.incrementAndGet();
        stack = new EmulatedStack(aws, prefix, prefix + "-tfstate");
        try {
            String streamArn = aws.dynamoDb().describeTable(b -> b.tableName(stack.backend.lockTable)).table()
                    .latestStreamArn();
            ObjectTimes times = new ObjectTimes(stack.backend.bucket);
            endpoint = new FaultyEndpoint(motoEndpoint, random.nextLong(), clock, times, counts);
            endpoint.onPublish(message -> publishing(aws, message));
            Crashes crashes = new Crashes();
            sources = new EventSources(clock, random.nextLong(), counts, crashes, streamArn,
                    "arn:aws:sqs:us-east-1:123456789012:" + prefix + "-state-events");
            Components components = functions(streamArn, crashes);
            sources.functions(new LockEventsHandler(components), new StateEventsHandler(components),
                    new StaleLockSweepHandler(components), this::readAlerts);
            team = new Team(stack.backend, aws.dynamoDbStreams(), streamArn, clock, new Random(random.nextLong()),
                    times, sources, expected, (at, action) -> agenda.add(new Timed(at, order++, action)));

            deployed(components);
            plan();
            faults(true);
            agenda.add(new Timed(clock.instant(), order++, this::step));
            runUntil(() -> steps >= settings.runs() && agenda.isEmpty() && killed == null);
            faults(false);
            runUntil(() -> !sources.pending() && agenda.isEmpty());
            Instant settled = clock.instant().plus(Duration.ofMinutes(15));
            runUntil(() -> !sources.pending() && !clock.instant().isBefore(settled));
            readAlerts();
            return result(aws, dawn, started);
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
            stack.close();
        }
    }

    private static Map<String, String> motoEnvironment(String motoEndpoint) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", motoEndpoint);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        return env;
    }

    /**
     * The functions' components as the stack deploys them, with the product's default settings, every AWS request
     * through the faulty endpoint (and liable to crash), on the day's clock; an event whose checks must wait is sent
     * back through the state events queue, as deployed, and comes back when the event sources bring it.
     */
    private Components functions(String streamArn, Crashes crashes) {
        Map<String, String> env = motoEnvironment(endpoint.endpoint());
        env.put("ENVIRONMENT_NAME", "faultday");
        env.put("LOCK_TABLE", stack.backend.lockTable);
        env.put("STATE_BUCKET", stack.backend.bucket);
        env.put("HISTORY_TABLE", stack.historyTable);
        env.put("LOCK_TABLE_STREAM_ARN", streamArn);
        env.put("ALERT_TOPIC_ARN", stack.topicArn);
        env.put("STATE_EVENTS_QUEUE_URL", stack.stateEventsQueueUrl);
        env.put("CALLER_ENRICHMENT", "off");
        Config config = Config.from(env);
        AwsClients aws = AwsClients.forTools(env).withInterceptor(crashes);
        Components deployed = Components.of(config, aws, Components.historyStore(config, aws),
                Components.publisher(config, aws), new Metrics(new PrintStream(OutputStream.nullOutputStream()),
                        Environments.only("faultday"), clock));
        SqsRechecks queue = new SqsRechecks(aws.sqs(), stack.stateEventsQueueUrl, clock);
        return new Components(config, deployed.backend(), deployed.stores(), deployed.publisher(), deployed.metrics(),
                clock, (document, at, attempt) -> {
                    queue.later(document, at, attempt);
                    sources.recheck(document, at, attempt);
                });
    }

    /**
     * The stack as it is before the day: deployed (its backfill done), a first sweep made, and a plan's lock
     * recorded, so that the lock stream has a watermark.
     */
    private void deployed(Components components) {
        Instant now = clock.instant();
        components.bookkeeping().backfill(new Bookkeeping.Backfill(null, null, now, now, now,
                Bookkeeping.BackfillCounts.NONE));
        Team.State bootstrap = team.state("bootstrap/terraform.tfstate", Team.Locking.LOCK_TABLE);
        team.plan(bootstrap, TEAM.get(2));
        runUntil(() -> !sources.pending() && agenda.isEmpty() && sources.sweeps > 0);
    }

    /** The day's states and when its special runs come. */
    private void plan() {
        List<Team.Locking> kinds = new ArrayList<>(List.of(Team.Locking.LOCK_TABLE, Team.Locking.LOCK_TABLE,
                Team.Locking.LOCK_FILE, Team.Locking.BOTH, pick(Team.Locking.values()), pick(Team.Locking.values())));
        Collections.shuffle(kinds, random);
        List<String> keys = List.of("network/terraform.tfstate", "app/terraform.tfstate",
                "env:/staging/app/terraform.tfstate", "env:/prod/app/terraform.tfstate", "dns/terraform.tfstate",
                "env:/feature-" + Integer.toHexString(random.nextInt(0x10000)) + "/app/terraform.tfstate");
        for (int i = 0; i < keys.size(); i++) {
            team.state(keys.get(i), kinds.get(i));
        }
        int runs = settings.runs();
        killAt = 2 + random.nextInt(4);
        rollbackAt = runs / 3 + random.nextInt(runs / 3);
        deleteAt = runs / 2 + random.nextInt(runs / 3);
        unlockedAt = new ArrayList<>(List.of(2 + random.nextInt(runs - 4)));
        if (random.nextBoolean()) {
            unlockedAt.add(2 + random.nextInt(runs - 4));
        }
        Collections.sort(unlockedAt);
        // Each kind of weather at least once, and more at random.
        sureOutageAt = 1 + random.nextInt(runs - 2);
        sureLagAt = 1 + random.nextInt(runs - 2);
    }

    /** Faults on (each kind surely once early in the day, and at random) or off. */
    private void faults(boolean on) {
        faulty = on;
        endpoint.rates(on ? settings.rates() : FaultyEndpoint.Rates.NONE);
        endpoint.surely(on ? 20 + random.nextInt(300) : 0, on ? 20 + random.nextInt(300) : 0,
                on ? 20 + random.nextInt(300) : 0);
        sources.faults(on ? new EventSources.Faults(settings.crash(), settings.queueRedelivery(),
                settings.streamRedelivery(), 5 + random.nextInt(40), 3 + random.nextInt(20), 2 + random.nextInt(10))
                : EventSources.Faults.NONE);
        if (!on) {
            endpoint.downUntil(Instant.MIN);
            sources.releaseStream();
        }
    }

    /** One step of the team's day: the weather, then one run on a state that is free. */
    private void step() {
        steps++;
        Instant now = clock.instant();
        boolean outage = steps == sureOutageAt || random.nextDouble() < settings.outageChance();
        if (faulty && steps == sureOutageAt && now.isBefore(calmUntil)) {
            sureOutageAt++;  // after the calm that follows the last one
        } else if (faulty && outage && !now.isBefore(calmUntil)) {
            // An outage lasts seconds to a minute and a half, and the next comes ten minutes after it at the soonest:
            // within what the stack's retries span (the lock stream's ten retries, the queue's five receives). The
            // day's sure one lasts long enough to meet the deliveries of the runs around it.
            Instant up = now.plusSeconds(steps == sureOutageAt ? 60 + random.nextInt(31) : 20 + random.nextInt(71));
            if (steps == sureOutageAt) {
                endpoint.downUntilMet(up);
            } else {
                endpoint.downUntil(up);
            }
            calmUntil = up.plus(Duration.ofMinutes(10));
            outages++;
        }
        if (faulty && (steps == sureLagAt || random.nextDouble() < settings.lagChance())) {
            sources.holdStream(now.plusSeconds(60 + random.nextInt(300)));
        }
        String who = pick(TEAM);
        List<Team.State> free = team.states().stream()
                .filter(state -> !state.busy && !state.deleted && state.held == null && state != killed).toList();
        boolean special = !free.isEmpty() && run(free, who);
        if (!special && killed != null && killed.held != null && random.nextInt(8) == 0) {
            team.blockedPlan(killed, who);
        } else if (!special && !free.isEmpty()) {
            Team.State state = pick(free);
            if (random.nextInt(100) < 65) {
                team.apply(state, who);
            } else {
                team.plan(state, who);
            }
        }
        if (steps < settings.runs()) {
            agenda.add(new Timed(now.plusSeconds(30 + random.nextInt(180)), order++, this::step));
        }
    }

    /** The special run due at this step, if one is and a state fits it; whether one was started. */
    private boolean run(List<Team.State> free, String who) {
        if (killed == null && steps >= killAt && !forceUnlockPlanned) {
            killed = pick(free);
            team.killedJob(killed, "ci@runner-" + Integer.toHexString(0x1000 + random.nextInt(0xefff)));
            Team.State job = killed;
            // Paged or not, someone looks at the lock within hours.
            unpaged = new Timed(clock.instant().plus(Duration.ofHours(4)), order++, () -> forceUnlock(job));
            agenda.add(unpaged);
            return true;
        }
        if (!unlockedAt.isEmpty() && steps >= unlockedAt.get(0)) {
            unlockedAt.remove(0);
            team.unlockedApply(pick(free));
            return true;
        }
        List<Team.State> rollable = free.stream().filter(state -> state.serial >= 3).toList();
        if (!rolledBack && steps >= rollbackAt && !rollable.isEmpty()) {
            rolledBack = true;
            team.rollback(pick(rollable), who);
            return true;
        }
        List<Team.State> workspaces = free.stream().filter(state -> state.workspace).toList();
        if (!workspaceDeleted && steps >= deleteAt && !workspaces.isEmpty()) {
            workspaceDeleted = true;
            team.workspaceDelete(pick(workspaces), who);
            return true;
        }
        return false;
    }

    /** The on-call person reads the alerts delivered; a stale lock page for the killed job's lock is acted on. */
    private void readAlerts() {
        List<Message> messages;
        do {
            messages = stack.sqs.receiveMessage(b -> b.queueUrl(stack.alertQueueUrl).maxNumberOfMessages(10))
                    .messages();
            for (Message message : messages) {
                delivered.add(message.body());
                stack.sqs.deleteMessage(b -> b.queueUrl(stack.alertQueueUrl).receiptHandle(message.receiptHandle()));
            }
        } while (!messages.isEmpty());
        if (killed != null && killed.held != null && !forceUnlockPlanned && delivered.stream().map(FaultDay::json)
                .anyMatch(alert -> AlertType.STALE_LOCK.name().equals(alert.path("type").asText())
                        && killed.held.id().equals(alert.path("lock").path("ID").asText()))) {
            forceUnlockPlanned = true;
            Team.State job = killed;
            agenda.add(new Timed(clock.instant().plusSeconds(120 + random.nextInt(780)), order++,
                    () -> forceUnlock(job)));
        }
    }

    private void forceUnlock(Team.State job) {
        if (killed == job) {
            forceUnlockPlanned = true;
            team.forceUnlock(job);
            killed = null;
            agenda.remove(unpaged);
        }
    }

    /** Runs the day: the team's next action or the event sources' next delivery, whichever is first, until done. */
    private void runUntil(BooleanSupplier done) {
        Instant limit = clock.instant().plus(Duration.ofHours(12));
        while (!done.getAsBoolean()) {
            Instant next = sources.nextDue();
            Timed first = agenda.peek();
            if (first != null && !first.at().isAfter(next)) {
                agenda.poll();
                clock.advanceTo(first.at());
                first.action().run();
            } else {
                clock.advanceTo(next);
                sources.deliverDue();
            }
            if (clock.instant().isAfter(limit)) {
                throw new IllegalStateException("seed " + seed + ": the day did not settle within 12 hours");
            }
        }
    }

    private Result result(AwsClients aws, Instant dawn, long started) {
        Map<String, Integer> history = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        int unmarked = 0;
        for (Map<String, AttributeValue> item : HistoryTable.entries(aws.dynamoDb(), stack.historyTable)) {
            String event = text(item, "event");
            history.merge(Expectations.key(text(item, "statePath"), event, detail(event, item)), 1, Integer::sum);
            if ("pending".equals(text(item, "alertStatus"))) {
                unmarked++;
                differences.add("alert claimed and never marked raised: " + text(item, "statePath") + " " + event);
            }
        }
        Map<String, Integer> alerts = new TreeMap<>();
        delivered.forEach(message -> alerts.merge(alertKey(json(message)), 1, Integer::sum));
        // An alert published again while its claim was pending is OnceAlerts' at least once; one published again
        // after history had it raised is a double.
        int republished = 0;
        for (Map.Entry<String, Integer> alert : alerts.entrySet()) {
            int excess = alert.getValue() - expected.alerts().getOrDefault(alert.getKey(), 0);
            int again = expected.alerts().containsKey(alert.getKey()) && excess > 0
                    ? excess - Math.min(excess, publishedWhenRaised.getOrDefault(alert.getKey(), 0)) : 0;
            if (again > 0) {
                republished += again;
                alert.setValue(alert.getValue() - again);
                differences.add("published again while its claim was pending (at least once) x" + again + ": "
                        + alert.getKey());
            }
        }
        Expectations.Comparison entries = Expectations.Comparison.of("history", expected.history(), history);
        Expectations.Comparison paged = Expectations.Comparison.of("alert", expected.alerts(), alerts);
        differences.addAll(0, entries.differences());
        differences.addAll(paged.differences());
        sources.deadLettered.forEach(item -> differences.add("dead-lettered: " + item));
        differences.addAll(histories(aws, entries.differences().stream().map(line -> line.substring(
                line.indexOf(": ") + 2).split(" ")[0]).distinct().toList()));
        return new Result(seed, expected.history().values().stream().mapToInt(Integer::intValue).sum(),
                expected.alerts().values().stream().mapToInt(Integer::intValue).sum(), counts, outages,
                entries.lost() + paged.lost(), entries.doubled() + paged.doubled(), paged.unexpected(),
                entries.unexpected(), unmarked, sources.deadLettered.size(), republished, endpoint.requests(),
                sources.invocations, Duration.between(dawn, clock.instant()),
                Duration.ofNanos(System.nanoTime() - started), differences);
    }

    /**
     * An alert about to be published (SNS carries it out): whether history has it raised already, which makes this
     * publication a double, or still claimed (pending), which is OnceAlerts publishing an alert it may have published
     * before without knowing it.
     */
    private void publishing(AwsClients aws, String message) {
        JsonNode alert = json(json(message).path("sqs").asText());
        String key = alertKey(alert);
        boolean pending = HistoryTable.read(aws.dynamoDb(), stack.historyTable, alert.path("statePath").asText())
                .stream().anyMatch(item -> key.equals(Expectations.key(text(item, "statePath"), text(item, "event"),
                        detail(text(item, "event"), item))) && "pending".equals(text(item, "alertStatus")));
        if (!pending) {
            publishedWhenRaised.merge(key, 1, Integer::sum);
        }
    }

    /** How a delivered alert is named for the comparison, as {@link #detail} names its history entry. */
    private static String alertKey(JsonNode alert) {
        String type = alert.path("type").asText();
        String detail = type.startsWith("STALE_LOCK") ? alert.path("lock").path("ID").asText()
                : ABOUT_A_WRITE.contains(type) ? alert.path("serial").asText() : "";
        return Expectations.key(alert.path("statePath").asText(), type, detail);
    }

    /** The history of each state named, one line per entry in order, to read what happened to it. */
    private List<String> histories(AwsClients aws, List<String> statePaths) {
        List<String> lines = new ArrayList<>();
        for (String statePath : statePaths) {
            lines.add("history of " + statePath + ":");
            for (Map<String, AttributeValue> item : HistoryTable.read(aws.dynamoDb(), stack.historyTable, statePath)) {
                String event = text(item, "event");
                lines.add("    " + text(item, "eventKey") + " " + event + " " + detail(event, item) + " from "
                        + text(item, "sourceEventId") + (item.containsKey("summary") ? ": " + text(item, "summary")
                        : ""));
            }
        }
        return lines;
    }

    /** What tells an entry from the state's other entries of its kind, as {@link Team} declares it. */
    private static String detail(String event, Map<String, AttributeValue> item) {
        if (event.equals(EventType.LOCK_ACQUIRED.name()) || event.equals(EventType.LOCK_RELEASED.name())) {
            return text(item, "lockId") + "/" + text(item, "source");
        }
        if (event.equals(EventType.STATE_WRITTEN.name())) {
            return text(item, "serial") + "/" + text(item, "lineage");
        }
        if (event.equals(EventType.DIGEST_UPDATED.name())) {
            return text(item, "digest");
        }
        if (event.equals(EventType.DIGEST_REMOVED.name())) {
            return text(item, "previousDigest");
        }
        if (event.startsWith("STALE_LOCK")) {
            return text(item, "lockId");
        }
        return ABOUT_A_WRITE.contains(event) ? text(item, "serial") : "";
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s() != null ? value.s() : value.n();
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private <T> T pick(T[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}

package dev.lockauditor.testsupport;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.lockauditor.audit.Rechecks;
import dev.lockauditor.handler.LockEventsHandler;
import dev.lockauditor.handler.StaleLockSweepHandler;
import dev.lockauditor.handler.StateEventsHandler;
import dev.lockauditor.runtime.LambdaStreamEvents;
import dev.lockauditor.runtime.LocalContext;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Lambda's event sources for the auditor's functions, as the stack sets them up and as they behave, on the day's
 * clock: the lock table's stream mapping (batches of up to 100 records in order; a batch item failure retries from the
 * failed record, a crashed invocation retries the batch, with a backoff; after 10 retries the records go to the
 * dead-letter queue), the state events queue (each event delayed by the lock event lag, batches of up to 10; a failed
 * message comes back after the visibility timeout, and after 5 receives goes to the dead-letter queue; rechecks come
 * back when the function asks), and the sweep's schedule (every 5 minutes, no retry).
 *
 * <p>While faults are on it also misbehaves as those services may: it holds the stream back for minutes, delivers a
 * handled batch or message again, and crashes invocations partway ({@link Crashes}).
 */
final class EventSources {

    static final Duration QUEUE_DELAY = Duration.ofSeconds(60);
    static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(180);
    static final int MAX_RECEIVES = 5;
    static final int QUEUE_BATCH = 10;
    static final int STREAM_BATCH = 100;
    static final int STREAM_RETRIES = 10;
    static final Duration STREAM_PROPAGATION = Duration.ofSeconds(1);
    static final Duration SWEEP_EVERY = Duration.ofMinutes(5);
    static final Duration MAX_RECHECK_DELAY = Duration.ofSeconds(900);

    /**
     * How the event sources misbehave while faults are on: each kind at random, and surely once, at the invocation,
     * handled stream batch and handled queue message numbered {@code sureCrash}, {@code sureStreamRedelivery} and
     * {@code sureQueueRedelivery}.
     */
    record Faults(double crash, double queueRedelivery, double streamRedelivery, int sureCrash,
                  int sureQueueRedelivery, int sureStreamRedelivery) {
        static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);
    }

    /** A stream record and when its change was made (the stream's time for it, whole seconds). */
    private record Streamed(Record record, Instant at) {
    }

    /** A message of the state events queue. */
    private static final class Message {
        final String id;
        final String body;
        final int recheck;
        Instant visibleAt;
        int receives;
        /** What became of each receive: failed, crashed, or handled and delivered again. */
        final List<String> outcomes = new ArrayList<>();

        Message(String id, String body, int recheck, Instant visibleAt) {
            this.id = id;
            this.body = body;
            this.recheck = recheck;
            this.visibleAt = visibleAt;
        }
    }

    private final DayClock clock;
    private final Random random;
    private final FaultCounts counts;
    private final Crashes crashes;
    private final String streamArn;
    private final String queueArn;
    private LockEventsHandler lockEvents;
    private StateEventsHandler stateEvents;
    private StaleLockSweepHandler sweep;
    private Runnable afterSweep = () -> { };
    private final Context quiet = new LocalContext("FaultDay", new PrintStream(OutputStream.nullOutputStream()));

    private final List<Streamed> stream = new ArrayList<>();
    private int checkpoint;
    private int streamAttempts;
    private Instant streamRetryAt = Instant.MIN;
    private Instant streamHeldUntil = Instant.MIN;
    private final List<Message> queue = new ArrayList<>();
    private Instant nextSweep;
    private Faults faults = Faults.NONE;
    /** How many invocations, handled stream batches and handled queue messages there were since the faults began. */
    private int[] counted = new int[3];
    private boolean sureCrashDue;
    private int messages;

    /** What went to a dead-letter queue: stream records and queue messages no retry could handle, one line each. */
    final List<String> deadLettered = new ArrayList<>();
    int invocations;
    int sweeps;
    int failedSweeps;

    EventSources(DayClock clock, long seed, FaultCounts counts, Crashes crashes, String streamArn, String queueArn) {
        this.clock = clock;
        this.random = new Random(seed);
        this.counts = counts;
        this.crashes = crashes;
        this.streamArn = streamArn;
        this.queueArn = queueArn;
        this.nextSweep = clock.instant().plus(SWEEP_EVERY);
    }

    /**
     * The functions the event sources invoke.
     *
     * @param afterSweep what happens after each sweep (the on-call person reads the alerts)
     */
    void functions(LockEventsHandler lockEvents, StateEventsHandler stateEvents, StaleLockSweepHandler sweep,
                   Runnable afterSweep) {
        this.lockEvents = lockEvents;
        this.stateEvents = stateEvents;
        this.sweep = sweep;
        this.afterSweep = afterSweep;
    }

    void faults(Faults faults) {
        this.faults = faults;
        this.counted = new int[3];
        this.sureCrashDue = false;
    }

    /** Whether the fault strikes the {@code kind}th counted thing of its kind: surely at its number, else at random. */
    private boolean strikes(int kind, int sure, double chance) {
        return ++counted[kind] == sure || random.nextDouble() < chance;
    }

    /** The lock table's stream held back (its function throttled) until {@code until}. */
    void holdStream(Instant until) {
        streamHeldUntil = later(streamHeldUntil, until);
        counts.add(FaultKind.STREAM_LAG);
    }

    void releaseStream() {
        streamHeldUntil = Instant.MIN;
    }

    /** Records the lock table's stream now holds, from a change made at {@code at}. */
    void streamed(List<Record> records, Instant at) {
        records.forEach(record -> stream.add(new Streamed(record, at)));
    }

    /** A bucket event EventBridge puts on the state events queue now; it is delivered after the queue's delay. */
    void bucketEvent(String document) {
        queue.add(new Message("m-" + (++messages), document, 0, clock.instant().plus(QUEUE_DELAY)));
    }

    /** The function sends an event back to the queue, to be delivered at {@code at} (up to SQS's longest delay). */
    void recheck(String document, Instant at, int attempt) {
        Instant latest = clock.instant().plus(MAX_RECHECK_DELAY);
        queue.add(new Message("m-" + (++messages), document, attempt, at.isAfter(latest) ? latest : at));
    }

    /** Whether anything is still to be delivered: stream records, queue messages. */
    boolean pending() {
        return checkpoint < stream.size() || !queue.isEmpty();
    }

    /** When the next delivery or sweep is due. */
    Instant nextDue() {
        Instant next = nextSweep;
        if (checkpoint < stream.size()) {
            next = earlier(next, streamDue());
        }
        for (Message message : queue) {
            next = earlier(next, message.visibleAt);
        }
        return next;
    }

    private Instant streamDue() {
        Instant due = stream.get(checkpoint).at().plus(STREAM_PROPAGATION);
        due = later(due, streamRetryAt);
        return later(due, streamHeldUntil);
    }

    /** Delivers what is due now: the stream's next batch, the queue's visible messages, the sweep. */
    void deliverDue() {
        Instant now = clock.instant();
        if (checkpoint < stream.size() && !streamDue().isAfter(now)) {
            deliverStream(now);
        }
        List<Message> visible = queue.stream().filter(message -> !message.visibleAt.isAfter(now))
                .collect(Collectors.toCollection(ArrayList::new));
        while (!visible.isEmpty()) {
            List<Message> batch = new ArrayList<>();
            while (!visible.isEmpty() && batch.size() < QUEUE_BATCH) {
                batch.add(visible.remove(random.nextInt(visible.size())));
            }
            deliverQueue(batch, now);
        }
        if (!nextSweep.isAfter(now)) {
            nextSweep = nextSweep.plus(SWEEP_EVERY);
            runSweep();
        }
    }

    private void deliverStream(Instant now) {
        List<Streamed> batch = new ArrayList<>();
        for (int i = checkpoint; i < stream.size() && batch.size() < STREAM_BATCH; i++) {
            if (stream.get(i).at().plus(STREAM_PROPAGATION).isAfter(now)) {
                break;
            }
            batch.add(stream.get(i));
        }
        List<Record> records = batch.stream().map(streamed -> stamped(streamed.record(), streamed.at())).toList();
        DynamodbEvent event = LambdaEventSerializers.serializerFor(DynamodbEvent.class, getClass().getClassLoader())
                .fromJson(LambdaStreamEvents.toEventJson(records, streamArn));
        StreamsEventResponse response = invoke(() -> lockEvents.handleRequest(event, quiet));
        int done;
        if (response == null) {
            done = 0;  // crashed: the whole batch again
        } else if (response.getBatchItemFailures() == null || response.getBatchItemFailures().isEmpty()) {
            done = batch.size();
        } else {
            String failed = response.getBatchItemFailures().get(0).getItemIdentifier();
            done = 0;
            while (done < batch.size() && !batch.get(done).record().dynamodb().sequenceNumber().equals(failed)) {
                done++;
            }
        }
        if (done == batch.size()) {
            streamAttempts = 0;
            streamRetryAt = Instant.MIN;
            if (strikes(1, faults.sureStreamRedelivery(), faults.streamRedelivery())) {
                counts.add(FaultKind.STREAM_REDELIVERY);  // handled, and delivered again
                return;
            }
            checkpoint += done;
            return;
        }
        checkpoint += done;
        streamAttempts = done > 0 ? 1 : streamAttempts + 1;
        if (streamAttempts > STREAM_RETRIES) {
            int lost = batch.size() - done;
            batch.subList(done, batch.size()).forEach(streamed -> deadLettered.add("stream record "
                    + streamed.record().eventName() + " " + streamed.record().dynamodb().keys() + " of " + streamed.at()));
            checkpoint += lost;
            streamAttempts = 0;
            streamRetryAt = Instant.MIN;
            return;
        }
        streamRetryAt = now.plus(Duration.ofSeconds(Math.min(60, 1L << (streamAttempts - 1))));
    }

    /** The record with the time of its change, as the stream reports it (whole seconds). */
    private static Record stamped(Record record, Instant at) {
        return record.toBuilder().dynamodb(record.dynamodb().toBuilder().approximateCreationDateTime(at).build()).build();
    }

    private void deliverQueue(List<Message> batch, Instant now) {
        List<Message> delivered = new ArrayList<>();
        for (Message message : batch) {
            if (message.receives >= MAX_RECEIVES) {
                queue.remove(message);
                deadLettered.add("queue message " + (message.recheck > 0 ? "(recheck " + message.recheck + ") " : "")
                        + "after " + String.join(", ", message.outcomes) + ": " + message.body);
            } else {
                message.receives++;
                message.visibleAt = now.plus(VISIBILITY_TIMEOUT);
                delivered.add(message);
            }
        }
        if (delivered.isEmpty()) {
            return;
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(delivered.stream().map(this::sqsMessage).toList());
        SQSBatchResponse response = invoke(() -> stateEvents.handleRequest(event, quiet));
        if (response == null) {
            delivered.forEach(message -> message.outcomes.add("crashed"));
            return;  // crashed: every message comes back after the visibility timeout
        }
        Set<String> failed = response.getBatchItemFailures() == null ? Set.of()
                : response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .collect(Collectors.toSet());
        for (Message message : delivered) {
            if (failed.contains(message.id)) {
                message.outcomes.add("failed");
                continue;
            }
            if (strikes(2, faults.sureQueueRedelivery(), faults.queueRedelivery())) {
                counts.add(FaultKind.QUEUE_REDELIVERY);  // handled, and delivered again
                message.outcomes.add("handled and delivered again");
                continue;
            }
            queue.remove(message);
        }
    }

    private SQSEvent.SQSMessage sqsMessage(Message message) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(message.id);
        record.setReceiptHandle(message.id + "-" + message.receives);
        record.setBody(message.body);
        record.setEventSource("aws:sqs");
        record.setEventSourceArn(queueArn);
        record.setAwsRegion("us-east-1");
        record.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(message.receives)));
        Map<String, SQSEvent.MessageAttribute> attributes = new HashMap<>();
        if (message.recheck > 0) {
            SQSEvent.MessageAttribute attempt = new SQSEvent.MessageAttribute();
            attempt.setStringValue(Integer.toString(message.recheck));
            attempt.setDataType("Number");
            attributes.put(Rechecks.ATTEMPT_ATTRIBUTE, attempt);
        }
        record.setMessageAttributes(attributes);
        return record;
    }

    private void runSweep() {
        sweeps++;
        Object done = invoke(() -> sweep.sweep("EventBridge Scheduler", quiet.getLogger()));
        if (done == null) {
            failedSweeps++;
        }
        afterSweep.run();
    }

    /**
     * One invocation, crashed partway at random while faults are on; null when it crashed or failed (a sweep's fault
     * fails its invocation; the event functions report theirs in their answer).
     */
    private <T> T invoke(java.util.function.Supplier<T> handler) {
        invocations++;
        boolean crash = strikes(0, faults.sureCrash(), faults.crash());
        sureCrashDue |= counted[0] == faults.sureCrash();
        if (crash || sureCrashDue) {
            // The sure crash comes at the second request, until an invocation makes one.
            crashes.arm(sureCrashDue ? 1 : 1 + random.nextInt(6));
        }
        try {
            return handler.get();
        } catch (Crashes.Crashed crashed) {
            return null;
        } catch (RuntimeException failed) {
            return null;
        } finally {
            if (crashes.disarm()) {
                counts.add(FaultKind.CRASH);
                sureCrashDue = false;
            }
        }
    }

    private static Instant earlier(Instant a, Instant b) {
        return b.isBefore(a) ? b : a;
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }
}

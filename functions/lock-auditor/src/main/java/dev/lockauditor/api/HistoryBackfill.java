package dev.lockauditor.api;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.audit.Backfill;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.AuditSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * {@code bin/lock-auditor backfill}: the history a versioned bucket already holds, written to the history table, in
 * one run (the deployed stack does the same a sweep at a time). Read-only on the backend. A rerun, or a run after
 * an interrupted one, writes nothing new; the past anomalies it finds are kept in history as findings and never
 * published.
 */
public record HistoryBackfill(AwsClients aws, Config config) {

    /** A past anomaly: its type, state, time, what it says, and its facts (version ids among them). */
    public record Finding(String type, String statePath, Instant at, String summary, Map<String, Object> facts) {
    }

    /**
     * How far it is: versions read of those it will read, states, state writes, lock sessions, findings so far, and
     * requests made to AWS (S3 and DynamoDB).
     */
    public record Progress(long versionsRead, long versionsToRead, long states, long stateWrites, long lockSessions,
                           long findings, long requests) {

        static Progress of(Bookkeeping.BackfillCounts counts, long versionsToRead, long requests) {
            return new Progress(counts.versionsRead(), versionsToRead, counts.states(), counts.stateWrites(),
                    counts.lockSessions(), counts.findings(), requests);
        }
    }

    /** Told as it goes: after the bucket's versions are counted, then after each step. */
    public interface Listener {
        void progress(Progress progress);
    }

    /** What it found, and the last progress (its counts). */
    public record Result(List<Finding> findings, Progress done) {
    }

    /**
     * Reconstructs the history of the bucket's states since {@code since}, in steps of about {@code step} (a progress
     * report after each).
     */
    public Result run(Instant since, Duration step, Listener listener) throws HistoryStore.WriteFailure {
        AtomicLong requests = new AtomicLong();
        AwsClients counted = aws.withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                requests.incrementAndGet();
            }
        });
        HistoryStore history = new DynamoDbHistoryStore(counted.dynamoDb(), config.kept().historyTable(),
                Duration.ofDays(config.kept().historyRetentionDays()), config.environmentsByKey());
        Alerts words = new Alerts(config.watched().lockTable());
        AlertRaiser findings = new AlertRaiser(words, alert -> {
            throw new IllegalStateException("a backfill publishes nothing");
        }, Clock.systemUTC());
        Backfill backfill = new Backfill(new S3StateBucket(counted.s3(), config.watched().stateBucket()), history,
                findings, AuditSettings.from(config));
        long toRead = backfill.versionsToRead(since);
        listener.progress(Progress.of(Bookkeeping.BackfillCounts.NONE, toRead, requests.get()));
        Bookkeeping.Backfill cursor = new Bookkeeping.Backfill(null, null, since, Instant.now(), null,
                Bookkeeping.BackfillCounts.NONE);
        List<Finding> found = new ArrayList<>();
        Backfill.Step done;
        do {
            long until = System.nanoTime() + step.toNanos();
            done = backfill.step(cursor, () -> System.nanoTime() > until);
            cursor = done.next();
            done.findings().forEach(entry -> found.add(finding(entry)));
            listener.progress(Progress.of(cursor.counts(), toRead, requests.get()));
        } while (!done.done());
        return new Result(found, Progress.of(cursor.counts(), toRead, requests.get()));
    }

    private static Finding finding(HistoryEvent entry) {
        Facts.AlertRaised alert = (Facts.AlertRaised) entry.facts();
        return new Finding(alert.type(), entry.state().path(), entry.at(), alert.summary(), alert.details());
    }
}

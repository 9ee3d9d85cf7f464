package dev.lockauditor.api;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.LockCoverage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A state's history as lock sessions, newest first: each lock (one lock id, whichever kinds of lock Terraform took)
 * from acquired to released, with the writes made under it and the alerts raised about it; and the writes and alerts
 * that fall outside any lock. Which write falls under which lock is {@link LockCoverage}'s rule, the same that decides
 * unlocked writes.
 */
public record StateHistory(List<Session> sessions, List<HistoryEvent> outsideLocks, List<HistoryEvent> otherAlerts) {

    /**
     * One lock, and what happened under it: when it was taken (its {@code Created}) and last released, how long it
     * was held as its release recorded it, and where it was seen.
     */
    public record Session(String lockId, Facts.Lock lock, Instant start, Instant end, Long heldForSeconds,
                          List<Source> sources, List<HistoryEvent> writes, List<HistoryEvent> alerts) {
    }

    /** A state's history in the history table since {@code since}. */
    public static StateHistory read(AwsClients aws, String historyTable, String statePath, Instant since) {
        return of(new DynamoDbHistoryStore(aws.dynamoDb(), historyTable, Duration.ofDays(1))
                .read(HistoryQuery.of(statePath).since(since)));
    }

    /** @param entries a state's history, oldest first */
    public static StateHistory of(List<HistoryEvent> entries) {
        List<LockCoverage.Span> spans = LockCoverage.spans(entries);
        List<List<HistoryEvent>> writes = new ArrayList<>();
        List<List<HistoryEvent>> alerts = new ArrayList<>();
        spans.forEach(span -> {
            writes.add(new ArrayList<>());
            alerts.add(new ArrayList<>());
        });
        List<HistoryEvent> outsideLocks = new ArrayList<>();
        List<HistoryEvent> otherAlerts = new ArrayList<>();
        for (HistoryEvent entry : entries) {
            if (entry.facts() instanceof Facts.StateWritten || entry.facts() instanceof Facts.StateDeleted) {
                covering(spans, entry.at()).ifPresentOrElse(i -> writes.get(i).add(entry),
                        () -> outsideLocks.add(entry));
            } else if (entry.facts() instanceof Facts.AlertRaised alert) {
                Optional<Integer> session = alert.lockId() != null
                        ? indexWhere(spans, span -> span.lockId().equals(alert.lockId()))
                        : covering(spans, entry.at());
                session.ifPresentOrElse(i -> alerts.get(i).add(entry), () -> otherAlerts.add(entry));
            }
        }
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            LockCoverage.Span span = spans.get(i);
            sessions.add(new Session(span.lockId(), span.lock(), span.start(), span.end(), span.heldForSeconds(),
                    List.copyOf(span.sources()), writes.get(i), alerts.get(i)));
        }
        sessions.sort(Comparator.comparing(Session::start, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
                .reversed());
        return new StateHistory(sessions, outsideLocks, otherAlerts);
    }

    private static Optional<Integer> covering(List<LockCoverage.Span> spans, Instant at) {
        return indexWhere(spans, span -> span.covers(at));
    }

    private static Optional<Integer> indexWhere(List<LockCoverage.Span> spans,
                                                java.util.function.Predicate<LockCoverage.Span> test) {
        for (int i = 0; i < spans.size(); i++) {
            if (test.test(spans.get(i))) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }
}

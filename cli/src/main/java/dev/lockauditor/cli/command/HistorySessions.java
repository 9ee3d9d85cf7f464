package dev.lockauditor.cli.command;

import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A state's history as lock sessions: each lock (one lock id, whichever kinds of lock Terraform took) from
 * acquired to released, with the writes made under it and the alerts raised about it; and the writes and
 * alerts that fall outside any lock. Which write falls under which lock is {@link LockCoverage}'s rule, the same
 * that decides unlocked writes.
 */
final class HistorySessions {

    /** One lock, and what happened under it. */
    record Session(LockCoverage.Span lock, List<HistoryEvent> writes, List<HistoryEvent> alerts) {
    }

    final List<Session> sessions = new ArrayList<>();
    final List<HistoryEvent> outsideLocks = new ArrayList<>();
    final List<HistoryEvent> otherAlerts = new ArrayList<>();

    /** @param entries a state's history, oldest first */
    static HistorySessions of(List<HistoryEvent> entries) {
        HistorySessions result = new HistorySessions();
        for (LockCoverage.Span span : LockCoverage.spans(entries)) {
            result.sessions.add(new Session(span, new ArrayList<>(), new ArrayList<>()));
        }
        for (HistoryEvent entry : entries) {
            if (entry.facts() instanceof Facts.StateWritten || entry.facts() instanceof Facts.StateDeleted) {
                result.covering(entry.at()).ifPresentOrElse(s -> s.writes().add(entry),
                        () -> result.outsideLocks.add(entry));
            } else if (entry.facts() instanceof Facts.AlertRaised alert) {
                Optional<Session> session = alert.lockId() != null
                        ? result.sessions.stream().filter(s -> s.lock().lockId().equals(alert.lockId())).findFirst()
                        : result.covering(entry.at());
                session.ifPresentOrElse(s -> s.alerts().add(entry), () -> result.otherAlerts.add(entry));
            }
        }
        result.sessions.sort(Comparator.comparing((Session s) -> s.lock().start(),
                Comparator.nullsFirst(Comparator.<Instant>naturalOrder())).reversed());
        return result;
    }

    private Optional<Session> covering(Instant at) {
        return sessions.stream().filter(s -> s.lock().covers(at)).findFirst();
    }
}

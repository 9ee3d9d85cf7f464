package dev.lockauditor.report;

import dev.lockauditor.alert.AlertType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the report shows of one state, from its history alone (never its contents): its lock sessions (by
 * {@link LockCoverage}'s rule, one per lock id whichever kinds it was held as), its writes and deletions, and the
 * alerts raised about it.
 *
 * @param environment the state's environment, as the settings name it
 */
public record StateReport(StatePath state, String environment, List<Session> sessions, List<Write> writes,
                          List<Mark> alerts) {

    /** A lock taken right after another holder's release waited for it: this close after is contention. */
    public static final Duration CONTENTION = Duration.ofSeconds(30);

    /**
     * One lock session: who held it, for what, from when to when ({@code end} null while it is held), the kinds it
     * was held as ({@code dynamodb}, {@code s3}), whether it was alerted as stale or acknowledged, whether it was
     * taken right after another holder let go ({@code waited}) and whether another holder took it right after it
     * ({@code blocked}: someone was waiting for it).
     */
    public record Session(String lockId, String who, String operation, Instant start, Instant end, Set<String> kinds,
                          boolean stale, boolean acknowledged, boolean waited, boolean blocked) {

        public long seconds(Instant now) {
            return Math.max(0, Duration.between(start, end == null ? now : end).getSeconds());
        }
    }

    /** A state write (its serial when its header was read) or a deletion, and whether it was reconstructed. */
    public record Write(Instant at, Long serial, boolean deletion, boolean reconstructed) {
    }

    /** An alert raised about the state (a finding of the past when {@code past}). */
    public record Mark(Instant at, String type, String severity, String summary, String lockId, boolean past) {
    }

    private static String who(LockCoverage.Span span) {
        return span.lock() == null || span.lock().who() == null ? "" : span.lock().who();
    }

    /** @param history the state's history, oldest first */
    public static StateReport of(StatePath state, String environment, List<HistoryEvent> history) {
        List<Mark> alerts = new ArrayList<>();
        Set<String> stale = new HashSet<>();
        Set<String> acknowledged = new HashSet<>();
        List<Write> writes = new ArrayList<>();
        for (HistoryEvent entry : history) {
            if (entry.facts() instanceof Facts.AlertRaised alert) {
                alerts.add(new Mark(entry.at(), alert.type(), alert.severity(), alert.summary(), alert.lockId(),
                        Boolean.TRUE.equals(alert.details().get("past"))));
                if (alert.lockId() != null && alert.type().equals(AlertType.STALE_LOCK.name())) {
                    stale.add(alert.lockId());
                }
            } else if (entry.facts() instanceof Facts.LockAcknowledged ack) {
                acknowledged.add(ack.lockId());
            } else if (entry.facts() instanceof Facts.StateWritten written) {
                writes.add(new Write(entry.at(), written.header() == null ? null : written.header().serial(), false,
                        entry.source() == Source.VERSIONS));
            } else if (entry.facts() instanceof Facts.StateDeleted) {
                writes.add(new Write(entry.at(), null, true, entry.source() == Source.VERSIONS));
            }
        }
        List<LockCoverage.Span> spans = LockCoverage.spans(history).stream().filter(span -> span.start() != null)
                .toList();
        boolean[] waited = new boolean[spans.size()];
        for (int i = 1; i < spans.size(); i++) {
            Instant released = spans.get(i - 1).end();
            Instant taken = spans.get(i).start();
            waited[i] = released != null && !who(spans.get(i)).equals(who(spans.get(i - 1)))
                    && !taken.isBefore(released) && Duration.between(released, taken).compareTo(CONTENTION) <= 0;
        }
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            LockCoverage.Span span = spans.get(i);
            Set<String> kinds = new java.util.TreeSet<>();
            span.sources().forEach(source -> kinds.add(source == Source.DYNAMODB ? "lock table" : "lock file"));
            sessions.add(new Session(span.lockId(), who(span), span.lock() == null ? null : span.lock().operation(),
                    span.start(), span.end(), kinds, stale.contains(span.lockId()), acknowledged.contains(span.lockId()),
                    waited[i], i + 1 < spans.size() && waited[i + 1]));
        }
        return new StateReport(state, environment, sessions, writes, alerts);
    }
}

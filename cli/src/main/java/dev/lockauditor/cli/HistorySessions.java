package dev.lockauditor.cli;

import dev.lockauditor.alert.AlertType;
import dev.lockauditor.audit.LockCoverage;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEntry;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A state's history as lock sessions: each lock (one lock id, whichever kinds of lock Terraform took) from
 * acquired to released, with the writes made under it and the alerts raised about it; and the writes and
 * alerts that fall outside any lock.
 */
final class HistorySessions {

    static final class Session {
        final String lockId;
        Instant acquiredAt;
        Instant releasedAt;
        Long heldForSeconds;
        String who = "";
        String operation = "";
        String version = "";
        final Set<String> sources = new LinkedHashSet<>();
        final List<HistoryEntry> writes = new ArrayList<>();
        final List<HistoryEntry> alerts = new ArrayList<>();

        Session(String lockId) {
            this.lockId = lockId;
        }

        boolean covers(Instant at) {
            Instant start = acquiredAt == null ? Instant.MIN : acquiredAt.minus(LockCoverage.SKEW);
            Instant end = releasedAt == null ? Instant.MAX : releasedAt.plus(LockCoverage.SKEW);
            return !at.isBefore(start) && !at.isAfter(end);
        }
    }

    final List<Session> sessions = new ArrayList<>();
    final List<HistoryEntry> outsideLocks = new ArrayList<>();
    final List<HistoryEntry> otherAlerts = new ArrayList<>();

    /** @param entries a state's history, oldest first */
    static HistorySessions of(List<HistoryEntry> entries) {
        HistorySessions result = new HistorySessions();
        Map<String, Session> byLock = new LinkedHashMap<>();
        for (HistoryEntry entry : entries) {
            String lockId = entry.string("lockId");
            boolean acquired = EventType.LOCK_ACQUIRED.name().equals(entry.event());
            boolean released = EventType.LOCK_RELEASED.name().equals(entry.event());
            if ((acquired || released) && lockId != null) {
                Session session = byLock.computeIfAbsent(lockId, Session::new);
                session.sources.add(entry.source());
                session.who = or(entry.string("who"), session.who);
                session.operation = or(entry.string("operation"), session.operation);
                session.version = or(entry.string("version"), session.version);
                Instant start = acquired ? entry.at() : created(entry);
                if (start != null && (session.acquiredAt == null || start.isBefore(session.acquiredAt))) {
                    session.acquiredAt = start;
                }
                if (released && (session.releasedAt == null || entry.at().isAfter(session.releasedAt))) {
                    session.releasedAt = entry.at();
                    session.heldForSeconds = entry.number("heldForSeconds");
                }
            }
        }
        result.sessions.addAll(byLock.values());
        for (HistoryEntry entry : entries) {
            String event = entry.event();
            if (EventType.STATE_WRITTEN.name().equals(event) || EventType.STATE_DELETED.name().equals(event)) {
                result.sessions.stream().filter(s -> s.covers(entry.at())).findFirst()
                        .ifPresentOrElse(s -> s.writes.add(entry), () -> result.outsideLocks.add(entry));
            } else if (isAlert(event)) {
                String lockId = entry.string("lockId");
                result.sessions.stream()
                        .filter(s -> lockId != null ? s.lockId.equals(lockId) : s.covers(entry.at()))
                        .findFirst()
                        .ifPresentOrElse(s -> s.alerts.add(entry), () -> result.otherAlerts.add(entry));
            }
        }
        result.sessions.sort(Comparator.comparing((Session s) -> s.acquiredAt == null ? Instant.MIN : s.acquiredAt)
                .reversed());
        return result;
    }

    static boolean isAlert(String event) {
        for (AlertType type : AlertType.values()) {
            if (type.name().equals(event)) {
                return true;
            }
        }
        return false;
    }

    private static Instant created(HistoryEntry entry) {
        try {
            return entry.string("created") == null ? null : LockInfo.parseCreated(entry.string("created"));
        } catch (MalformedException e) {
            return null;
        }
    }

    private static String or(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}

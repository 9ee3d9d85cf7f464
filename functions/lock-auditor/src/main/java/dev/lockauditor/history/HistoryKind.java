package dev.lockauditor.history;

/** What a history entry records: an event ({@link EventType}) or an alert raised. */
public interface HistoryKind {
    String name();
}

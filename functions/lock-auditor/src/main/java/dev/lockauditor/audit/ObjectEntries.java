package dev.lockauditor.audit;

import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;

/**
 * The history entry an object event makes: its time, source and sequencer as its identity (so the same event is the
 * same entry), what its event says of the object and the writer, and its request's caller when CloudTrail's record of
 * it came first.
 */
public record ObjectEntries(CallerJoin callers) {

    public HistoryEvent of(StatePath state, Source source, ObjectEvent event, Facts facts) {
        return new HistoryEvent(state, event.at(), source, event.eventId(), event.orderedSequencer(), "0", facts,
                callers.ofObject(event.requestId()).orElse(null));
    }

    /** Where an object event stands in its state's history. */
    public static String key(ObjectEvent event, Source source) {
        return HistoryEvent.eventKey(event.at(), source, event.orderedSequencer(), "0");
    }

    public static Facts.ObjectFacts facts(ObjectEvent event) {
        return new Facts.ObjectFacts(event.size(), event.etag(), event.versionId(), event.sequencer(),
                event.writer().requester(), event.writer().sourceIp(), event.reason(), event.requestId());
    }

    /** Who made a write or deletion: what its event names, and its caller when CloudTrail's record is known. */
    public static Writer writerOf(HistoryEvent change) {
        Facts.ObjectFacts object = change.facts() instanceof Facts.StateDeleted deleted ? deleted.object()
                : ((Facts.StateWritten) change.facts()).object();
        return new Writer(object.writer(), object.sourceIp(), change.caller());
    }

    /** What a write's event said of its object. */
    public static Facts.ObjectFacts objectOf(HistoryEvent write) {
        return ((Facts.StateWritten) write.facts()).object();
    }
}

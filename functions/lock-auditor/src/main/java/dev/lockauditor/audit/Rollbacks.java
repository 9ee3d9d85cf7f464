package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Restore;
import dev.lockauditor.backend.Restores;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.StateLineage;
import dev.lockauditor.terraform.StatePath;
import java.util.Optional;

/**
 * A state write against the write before it, and the one after it (when events came out of order) against it, by the
 * rule of {@link StateLineage}: a rollback, another lineage, or two writes of one serial with different content. A
 * deletion between them makes the later write a new state, compared with nothing; so does, on a versioned bucket, a
 * write between them whose event is still on the way (its own event compares it with both).
 */
public record Rollbacks(HistoryStore history, StateBucket bucket, AlertRaiser alerts) {

    public void check(StatePath state, HistoryEvent written, Facts.Header header) {
        HistoryQuery neighbour = HistoryQuery.of(state.path()).kinds(EventType.STATE_WRITTEN, EventType.STATE_DELETED)
                .limit(1);
        for (HistoryEvent previous : history.read(neighbour.before(written.eventKey()).newestFirst())) {
            if (previous.facts() instanceof Facts.StateWritten before && before.header() != null) {
                compare(state, previous, before.header(), written, header);
            }
        }
        for (HistoryEvent next : history.read(neighbour.after(written.eventKey()))) {
            if (next.facts() instanceof Facts.StateWritten after && after.header() != null) {
                compare(state, written, header, next, after.header());
            }
        }
    }

    private void compare(StatePath state, HistoryEvent earlier, Facts.Header before, HistoryEvent later,
                         Facts.Header after) {
        Optional<AlertType> found = StateLineage.check(before.serial(), before.lineage(), after.serial(),
                after.lineage(), () -> contentDiffers(state, earlier, later));
        if (found.isEmpty() || !wroteOver(state, earlier, later)) {
            return;
        }
        var words = alerts.words();
        switch (found.get()) {
            case SERIAL_CONFLICT -> alerts.serialConflict(earlier, later, after.lineage(), after.serial(),
                    words.serialConflict(state, after.lineage(), after.serial(), ObjectEntries.writerOf(earlier),
                            earlier.at(), ObjectEntries.objectOf(earlier).versionId(), ObjectEntries.writerOf(later),
                            later.at(), ObjectEntries.objectOf(later).versionId(), overwritten(state, earlier, before)));
            case SERIAL_REGRESSION -> alerts.about(later, words.serialRegression(state, before.serial(),
                    after.serial(), after.lineage(), ObjectEntries.writerOf(later), replaced(state, later, before),
                    versioned(later)));
            default -> alerts.about(later, words.lineageChanged(state, before.lineage(), before.serial(),
                    after.lineage(), after.serial(), ObjectEntries.writerOf(later), replaced(state, later, before),
                    versioned(later)));
        }
    }

    /**
     * Whether {@code later} was written over {@code earlier}, as a versioned bucket tells it: the version just before
     * {@code later}'s is {@code earlier}'s. Events come out of order: when another write (or a deletion) came between
     * the two and its event is not recorded yet, the two are not compared, and that write's own event compares it with
     * each. Without versions, history's order is all there is. Asked only of a pair about to be alerted.
     */
    private boolean wroteOver(StatePath state, HistoryEvent earlier, HistoryEvent later) {
        String before = ObjectEntries.objectOf(earlier).versionId();
        String after = ObjectEntries.objectOf(later).versionId();
        if (before == null || after == null) {
            return true;
        }
        try {
            return bucket.versions(state.key(), state.key(), after).versions().stream()
                    .filter(version -> version.key().equals(state.key())).findFirst()
                    .map(replaced -> before.equals(replaced.versionId())).orElse(true);
        } catch (StateBucket.Unreadable e) {
            return true;
        }
    }

    /**
     * Whether two writes of a state hold different content: their sizes differ, their ETags do where both are the MD5s
     * of their bodies (what each write's own read said; this needs no versions), or the MD5s of their versions do.
     * Without any of these to tell, it cannot be told, and is not claimed.
     */
    private boolean contentDiffers(StatePath state, HistoryEvent earlier, HistoryEvent later) {
        Facts.ObjectFacts a = ObjectEntries.objectOf(earlier);
        Facts.ObjectFacts b = ObjectEntries.objectOf(later);
        if (a.size() != null && b.size() != null && !a.size().equals(b.size())) {
            return true;
        }
        if (etagIsMd5(earlier) && etagIsMd5(later)) {
            return !a.etag().equalsIgnoreCase(b.etag());
        }
        if (a.versionId() == null || b.versionId() == null || a.versionId().equals(b.versionId())) {
            return false;
        }
        try {
            Optional<String> first = bucket.md5(state.key(), a.versionId());
            Optional<String> second = bucket.md5(state.key(), b.versionId());
            return first.isPresent() && second.isPresent() && !first.get().equals(second.get());
        } catch (StateBucket.Unreadable e) {
            return false;
        }
    }

    /**
     * The version of the state a write replaced, to bring back: the newest version before the write that reads as a
     * state, when it is the replaced one (its serial and lineage); null when the bucket keeps none, or another.
     */
    private Restore replaced(StatePath state, HistoryEvent later, Facts.Header replaced) {
        String versionId = ObjectEntries.objectOf(later).versionId();
        if (versionId == null) {
            return null;
        }
        return Restores.ifReadable(bucket, state, versionId, alerts.words().lockTableName())
                .filter(restore -> replaced.lineage().equals(restore.lineage())
                        && Long.valueOf(replaced.serial()).equals(restore.serial()))
                .orElse(null);
    }

    /**
     * The earlier of two writes of one serial, to bring back if it is the state to keep: its version, when the bucket
     * keeps it and (with a lock table) its MD5 can be read for the digest; null otherwise.
     */
    private Restore overwritten(StatePath state, HistoryEvent earlier, Facts.Header header) {
        String versionId = ObjectEntries.objectOf(earlier).versionId();
        if (versionId == null) {
            return null;
        }
        String lockTable = alerts.words().lockTableName();
        String md5 = null;
        if (!lockTable.isEmpty()) {
            try {
                md5 = bucket.md5(state.key(), versionId).orElse(null);
            } catch (StateBucket.Unreadable e) {
                md5 = null;
            }
            if (md5 == null) {
                return null;  // without its MD5 the digest cannot be set, and Terraform would refuse the state
            }
        }
        return new Restore(state, versionId, header.serial(), header.lineage(), earlier.at(), md5, lockTable);
    }

    /** Whether the bucket keeps versions, as a write's event tells: it names the version it made. */
    private static boolean versioned(HistoryEvent write) {
        return ObjectEntries.objectOf(write).versionId() != null;
    }

    private static boolean etagIsMd5(HistoryEvent write) {
        return write.facts() instanceof Facts.StateWritten written && Boolean.TRUE.equals(written.etagIsMd5())
                && written.object().etag() != null;
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.backend.Restores;
import dev.lockauditor.alert.Restore;
import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.LockCoverage;
import dev.lockauditor.rules.WorkspaceDeletes;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A state's deletion: a workspace delete ({@link WorkspaceDeletes}) is one notice naming who ran it; any other is a
 * critical {@code STATE_DELETED}, decided once every lock change up to it is recorded, and its digest, once left behind,
 * an {@link OrphanedDigests orphan}.
 */
public record StateDeletions(StateBucket bucket, HistoryStore history, WriteLocks locks, AlertRaiser alerts,
                             OrphanedDigests orphans, ObjectEntries entries) {

    public Outcome deleted(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        HistoryEvent deleted = entries.of(state, Source.STATE_OBJECT, event,
                new Facts.StateDeleted(ObjectEntries.facts(event), event.deleteMarker()));
        List<HistoryEvent> recorded = history.write(List.of(deleted));
        Optional<LockCoverage.Span> workspaceDelete = WorkspaceDeletes.explaining(locks.spans(state, event.at()),
                event.at());
        if (workspaceDelete.isPresent()) {
            // terraform workspace delete: lock, release, then the object and its digest item go. One notice.
            alerts.about(deleted, alerts.words().workspaceDeleted(state,
                    workspaceDelete.get().lock().toLockInfo(state.path()), ObjectEntries.writerOf(deleted),
                    event.deleteMarker(), event.versionId(), event.at()));
            return Outcome.Recorded.decided(recorded);
        }
        Optional<Instant> undecided = locks.lookAgainAt(event.at(), true);
        if (undecided.isPresent()) {
            return new Outcome.Recorded(recorded, undecided.get());
        }
        alerts.about(deleted, alerts.words().stateDeleted(state, ObjectEntries.writerOf(deleted), event.deleteMarker(),
                event.versionId(), event.at(), underTheMarker(state, event)));
        return new Outcome.Recorded(recorded, orphans.afterDeletion(state, deleted).orElse(null));
    }

    /** The version a delete marker hides, to bring back: the newest before it that reads as a state, if any. */
    private Restore underTheMarker(StatePath state, ObjectEvent event) {
        if (!event.deleteMarker() || event.versionId() == null) {
            return null;
        }
        return Restores.ifReadable(bucket, state, event.versionId(), alerts.words().lockTableName()).orElse(null);
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.terraform.Operations;
import dev.lockauditor.terraform.StatePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A digest item whose state object is gone: {@code init}, {@code plan} and {@code apply} on that state fail. Terraform
 * deletes the digest right after the object, so a digest is only orphaned once the digest grace has passed after its
 * state's deletion; found by the deletion's event, or by the sweep for a state deleted before the auditor watched.
 */
public record OrphanedDigests(LockTable lockTable, StateBucket bucket, HistoryStore history, AlertRaiser alerts,
                              AuditSettings settings, Clock clock) {

    /** After a state's deletion: its digest left behind, or when that can be told. */
    public Optional<Instant> afterDeletion(StatePath state, HistoryEvent deletion) {
        Optional<String> digest = lockTable.digest(state.path());
        Instant now = clock.instant();
        if (digest.isEmpty() || !orphaned(state, digest.get(), now)) {
            return Optional.empty();
        }
        Instant deadline = deletion.at().plus(settings.digestGrace());
        if (now.isBefore(deadline)) {
            return Optional.of(deadline);
        }
        alerts.about(deletion, alerts.words().orphanedDigest(state, digest.get()));
        return Optional.empty();
    }

    /** What the sweep found of one digest item: whether its state is gone, and whether that was alerted now. */
    public record Swept(boolean orphaned, boolean raised) {
    }

    /**
     * The sweep: a digest whose object is gone, unless the state is being deleted now (the deletion's own checks
     * decide then: a minute for Terraform to delete the pair, and the lag and grace of its checks).
     */
    public Swept swept(StatePath state, String digest) {
        Instant now = clock.instant();
        Instant since = now.minus(Duration.ofMinutes(1)).minus(settings.lockEventLag()).minus(settings.digestGrace());
        if (!orphaned(state, digest, now) || beingDeleted(state, since)) {
            return new Swept(false, false);
        }
        List<HistoryEvent> deletions = history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_DELETED)
                .newestFirst().limit(1));
        return new Swept(true, Sweep.raise(() -> alerts.orphanedDigest(deletions.stream().findFirst(), digest,
                alerts.words().orphanedDigest(state, digest))));
    }

    private boolean orphaned(StatePath state, String digest, Instant now) {
        return BackendReview.digest(bucket, state, digest, false, now, Duration.ZERO).status()
                == BackendReview.DigestStatus.ORPHANED;
    }

    /**
     * Whether the state is being deleted: a deletion (or a workspace delete's lock) since {@code since}. Terraform
     * deletes the digest item right after the object, so a sweep that falls between the two must not call the digest
     * orphaned.
     */
    private boolean beingDeleted(StatePath state, Instant since) {
        return history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_DELETED, EventType.LOCK_RELEASED)
                        .since(since).newestFirst().limit(20)).stream()
                .anyMatch(entry -> entry.facts() instanceof Facts.StateDeleted
                        || entry.facts() instanceof Facts.LockReleased released && released.lock() != null
                                && Operations.isWorkspaceDelete(released.lock().operation()));
    }
}

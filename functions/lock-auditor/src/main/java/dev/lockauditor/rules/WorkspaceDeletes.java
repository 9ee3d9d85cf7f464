package dev.lockauditor.rules;

import dev.lockauditor.terraform.Operations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What makes a state's deletion a workspace delete: {@code terraform workspace delete} (and {@code tofu workspace
 * delete}) lock the state with the Operation {@code state-replace-provider}, release the lock, and only then delete
 * the state object (and its digest item). A deletion within a minute after such a lock's release is that.
 */
public final class WorkspaceDeletes {

    /** How soon after its workspace-delete lock is released Terraform deletes the state. */
    static final Duration WINDOW = Duration.ofMinutes(1);

    private WorkspaceDeletes() {
    }

    /** The workspace-delete lock that explains a deletion at {@code deletedAt}, if one does. */
    public static Optional<LockCoverage.Span> explaining(List<LockCoverage.Span> locks, Instant deletedAt) {
        return locks.stream()
                .filter(span -> span.lock() != null && Operations.isWorkspaceDelete(span.lock().operation())
                        && span.end() != null && !span.end().isAfter(deletedAt.plus(LockCoverage.SKEW))
                        && !span.end().isBefore(deletedAt.minus(WINDOW)))
                .reduce((a, b) -> b.end().isAfter(a.end()) ? b : a);
    }
}

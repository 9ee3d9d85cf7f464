package dev.lockauditor.audit;

import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;

/**
 * What an event on the state bucket is: a state written or deleted, a lock file taken or released, each handed to its
 * use case. Only a state's header fields are ever read from it, and only they are recorded.
 */
public record BucketEvents(AuditSettings settings, StateWrites writes, StateDeletions deletions,
                           LockFileEvents lockFiles) {

    public Outcome audit(ObjectEvent event) throws HistoryStore.WriteFailure {
        boolean lockFile = StateKeys.isLockFile(event.key());
        if (!lockFile && !settings.mayBeState(event.key())) {
            return new Outcome.Skipped("not a state key (see STATE_INCLUDE_SUFFIXES and STATE_EXCLUDE_SUFFIXES)");
        }
        String stateKey = lockFile ? StateKeys.stateKeyOfLockFile(event.key()) : event.key();
        StatePath state;
        try {
            state = StatePath.parse(StateKeys.lockPath(event.bucket(), stateKey), settings.workspaceKeyPrefix());
        } catch (MalformedException e) {
            return new Outcome.Skipped(e.getMessage());
        }
        boolean created = event.kind() == ObjectEvent.Kind.CREATED;
        if (lockFile) {
            return created ? lockFiles.created(state, event) : lockFiles.deleted(state, event);
        }
        return created ? writes.written(state, event) : deletions.deleted(state, event);
    }
}

package dev.lockauditor.rules;

import dev.lockauditor.events.LockTableChange;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.LockTableItem.Digest;
import dev.lockauditor.terraform.LockTableItem.Foreign;
import dev.lockauditor.terraform.LockTableItem.Lock;
import dev.lockauditor.terraform.StatePath;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change to a Terraform lock table means for the history of the states it locks.
 *
 * <ul>
 *   <li>a lock item appears: {@code LOCK_ACQUIRED}; it disappears: {@code LOCK_RELEASED}, with how long it was held;
 *   <li>a lock item's lock id changes: the old lock released, the new one acquired;
 *   <li>a digest item appears or changes: {@code DIGEST_UPDATED}; it disappears: {@code DIGEST_REMOVED};
 *   <li>anything else is skipped, with the reason.
 * </ul>
 */
public record LockTableChanges(String workspaceKeyPrefix) {

    /** The outcome for one change: the events to record, or why there are none. */
    public sealed interface Outcome {
    }

    public record Recorded(List<HistoryEvent> events) implements Outcome {
    }

    public record Skipped(String reason) implements Outcome {
    }

    public Outcome audit(LockTableChange change) {
        if (change.kind() != LockTableChange.Kind.INSERT && change.oldImage() == null) {
            return new Skipped("no OldImage: the stream view type must be NEW_AND_OLD_IMAGES");
        }
        if (change.kind() != LockTableChange.Kind.REMOVE && change.newImage() == null) {
            return new Skipped("no NewImage: the stream view type must be NEW_AND_OLD_IMAGES");
        }
        LockTableItem before = classify(change.oldImage());
        LockTableItem after = classify(change.newImage());

        Events events = new Events(change);
        if (before instanceof Lock old && after instanceof Lock now && old.info().id().equals(now.info().id())) {
            return new Skipped("lock item rewritten with the same lock id");
        }
        if (before instanceof Digest old && after instanceof Digest now) {
            if (old.md5().equals(now.md5())) {
                return new Skipped("digest item rewritten with the same digest");
            }
            events.add(now.state(), new Facts.DigestUpdated(now.md5(), old.md5()));
            return new Recorded(events.list);
        }
        if (before instanceof Lock old) {
            Facts.Lock lock = Facts.Lock.of(old.info());
            events.add(old.state(), new Facts.LockReleased(lock, lock.heldForSecondsAt(change.at()), null),
                    change.byTtl() ? Facts.Caller.TABLE_TTL : null);
        } else if (before instanceof Digest old) {
            events.add(old.state(), new Facts.DigestRemoved(old.md5()));
        }
        if (after instanceof Lock now) {
            events.add(now.state(), new Facts.LockAcquired(Facts.Lock.of(now.info()), null));
        } else if (after instanceof Digest now) {
            events.add(now.state(), new Facts.DigestUpdated(now.md5(), null));
        }
        if (events.list.isEmpty()) {
            Foreign foreign = (Foreign) (after instanceof Foreign ? after : before);
            return new Skipped(foreign.reason());
        }
        return new Recorded(events.list);
    }

    private LockTableItem classify(LockTableChange.Image image) {
        return image == null ? null : LockTableItem.classify(image.strings(), image.types(), workspaceKeyPrefix);
    }

    /** The events derived from one change, numbered in order. */
    private static final class Events {
        private final LockTableChange change;
        private final List<HistoryEvent> list = new ArrayList<>(2);

        Events(LockTableChange change) {
            this.change = change;
        }

        void add(StatePath state, Facts facts) {
            add(state, facts, null);
        }

        void add(StatePath state, Facts facts, Facts.Caller caller) {
            list.add(new HistoryEvent(state, change.at(), Source.DYNAMODB, change.eventId(), change.sequence(),
                    Integer.toString(list.size()), facts, caller));
        }
    }
}

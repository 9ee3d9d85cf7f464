package dev.lockauditor.audit;

import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import java.util.List;

/**
 * The locks held now, as their events tell, kept so that the sweep knows the lock files without listing the bucket:
 * an acquisition adds its lock, a release removes it (if it is still the lock kept for its state and kind).
 */
public record LockIndex(Bookkeeping bookkeeping) {

    /** A {@code .tflock} object whose body is not lock info was created: its deletion will not be a release. */
    public void foreignLockFile(String key, String eventKey, String reason) {
        bookkeeping.foreignLockFile(new Bookkeeping.ForeignLockFile(key, eventKey, reason));
    }

    /** The last {@code .tflock} object at this key that was not lock info, if any was. */
    public java.util.Optional<Bookkeeping.ForeignLockFile> foreignLockFile(String key) {
        return bookkeeping.foreignLockFile(key);
    }

    /** After lock events were recorded (again or for the first time: doing it twice changes nothing). */
    public void recorded(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            if (event.facts() instanceof Facts.LockAcquired acquired && acquired.lock() != null) {
                bookkeeping.held(new Bookkeeping.HeldLock(event.source(), event.state(), acquired.lock(), null));
            } else if (event.facts() instanceof Facts.LockReleased released && released.lock() != null) {
                bookkeeping.released(event.source(), event.state(), released.lock().id());
            }
        }
    }
}

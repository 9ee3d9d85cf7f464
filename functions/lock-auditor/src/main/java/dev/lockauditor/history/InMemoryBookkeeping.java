package dev.lockauditor.history;

import dev.lockauditor.terraform.StatePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Bookkeeping held in memory (SnapStart priming, tests). */
public final class InMemoryBookkeeping implements Bookkeeping {

    private StreamPosition position;
    private final Map<String, HeldLock> held = new LinkedHashMap<>();
    private Listing listing;
    private Backfill backfill;
    private final java.util.NavigableMap<String, Called> called = new java.util.TreeMap<>();

    private final Map<String, ForeignLockFile> foreign = new LinkedHashMap<>();

    @Override
    public synchronized void foreignLockFile(ForeignLockFile file) {
        foreign.put(file.key(), file);
    }

    @Override
    public synchronized Optional<ForeignLockFile> foreignLockFile(String key) {
        return Optional.ofNullable(foreign.get(key));
    }

    @Override
    public synchronized void called(Called entry) {
        called.put(entry.key(), entry);
    }

    @Override
    public synchronized Optional<Called> called(String key) {
        return calledBetween(key, key).stream().findFirst();
    }

    @Override
    public synchronized List<Called> calledBetween(String from, String to) {
        return new ArrayList<>(called.subMap(from, true, to, true).values());
    }

    @Override
    public synchronized Optional<StreamPosition> lockStreamRecorded() {
        return Optional.ofNullable(position);
    }

    @Override
    public synchronized void lockStreamRecordedTo(StreamPosition next) {
        if (position == null || next.notBehind(position)) {
            position = next;
        }
    }

    @Override
    public synchronized List<HeldLock> heldLocks() {
        return new ArrayList<>(held.values());
    }

    @Override
    public synchronized void held(HeldLock lock) {
        held.put(lock.kind().label() + "#" + lock.state().path(), lock);
    }

    @Override
    public synchronized void released(Source kind, dev.lockauditor.terraform.StatePath state, String lockId) {
        HeldLock kept = held.get(kind.label() + "#" + state.path());
        if (kept != null && kept.lock().id().equals(lockId)) {
            held.remove(kind.label() + "#" + state.path());
        }
    }

    @Override
    public synchronized Optional<Listing> listing() {
        return Optional.ofNullable(listing);
    }

    @Override
    public synchronized void listing(Listing next) {
        listing = next;
    }

    @Override
    public synchronized Optional<Backfill> backfill() {
        return Optional.ofNullable(backfill);
    }

    @Override
    public synchronized void backfill(Backfill next) {
        backfill = next;
    }
}

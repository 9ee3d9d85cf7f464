package dev.lockauditor.audit;

import dev.lockauditor.events.LockTableChange;
import dev.lockauditor.rules.LockTableChanges;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.rules.LockTableChanges.Recorded;
import dev.lockauditor.rules.LockTableChanges.Skipped;
import dev.lockauditor.events.LockTableChange.Image;
import dev.lockauditor.events.LockTableChange.Kind;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LockTableAuditorTest {

    static final String PATH = "mybucket/env:/staging/network/terraform.tfstate";
    static final Instant AT = Instant.parse("2025-03-14T09:31:41Z");
    static final String ID_1 = "9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382";
    static final String ID_2 = "3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583";

    final LockTableChanges auditor = new LockTableChanges("env:");

    static Image lock(String id) {
        String info = "{\"ID\":\"" + id + "\",\"Operation\":\"OperationTypeApply\",\"Info\":\"\",\"Who\":\"ci@runner-7f9c\","
                + "\"Version\":\"1.11.2\",\"Created\":\"2025-03-14T09:26:53.589793238Z\",\"Path\":\"" + PATH + "\"}";
        return new Image(Map.of("LockID", PATH, "Info", info), Map.of("LockID", "S", "Info", "S"));
    }

    static Image digest(String md5) {
        return new Image(Map.of("LockID", PATH + "-md5", "Digest", md5), Map.of("LockID", "S", "Digest", "S"));
    }

    static final Image FOREIGN = new Image(Map.of("LockID", "feature-flags"), Map.of("LockID", "S", "Enabled", "BOOL"));

    List<HistoryEvent> recorded(Kind kind, Image oldImage, Image newImage) {
        var outcome = auditor.audit(new LockTableChange(kind, "event-1", "4200", AT, oldImage, newImage));
        return assertInstanceOf(Recorded.class, outcome).events();
    }

    String skipped(Kind kind, Image oldImage, Image newImage) {
        var outcome = auditor.audit(new LockTableChange(kind, "event-1", "4200", AT, oldImage, newImage));
        return assertInstanceOf(Skipped.class, outcome).reason();
    }

    @Test
    void aLockItemInsertedIsALockAcquired() {
        HistoryEvent event = recorded(Kind.INSERT, null, lock(ID_1)).get(0);

        assertEquals(EventType.LOCK_ACQUIRED, event.type());
        assertEquals(PATH, event.state().path());
        assertEquals("staging", event.state().workspace());
        assertEquals(AT, event.at());
        assertEquals(Source.DYNAMODB, event.source());
        assertEquals("event-1", event.sourceId());
        assertEquals("4200", event.position());
        assertEquals(new Facts.LockAcquired(new Facts.Lock(ID_1, "OperationTypeApply", "ci@runner-7f9c", "1.11.2",
                Instant.parse("2025-03-14T09:26:53.589793238Z"), null), null), event.facts());
    }

    @Test
    void aLockItemRemovedIsALockReleasedWithHowLongItWasHeld() {
        List<HistoryEvent> events = recorded(Kind.REMOVE, lock(ID_1), null);

        assertEquals(1, events.size());
        assertEquals(EventType.LOCK_RELEASED, events.get(0).type());
        assertEquals(ID_1, events.get(0).fields().get("lockId"));
        assertEquals(287L, events.get(0).fields().get("heldForSeconds"));
    }

    @Test
    void aLockItemGivenANewLockIdIsAReleaseThenAnAcquire() {
        List<HistoryEvent> events = recorded(Kind.MODIFY, lock(ID_1), lock(ID_2));

        assertEquals(List.of(EventType.LOCK_RELEASED, EventType.LOCK_ACQUIRED), events.stream().map(HistoryEvent::type).toList());
        assertEquals(ID_1, events.get(0).fields().get("lockId"));
        assertEquals(ID_2, events.get(1).fields().get("lockId"));
        assertEquals(List.of("0", "1"), events.stream().map(HistoryEvent::part).toList());
        assertTrue(events.get(0).eventKey().compareTo(events.get(1).eventKey()) < 0, "release sorts before acquire");
    }

    @Test
    void aLockItemRewrittenWithTheSameLockIdChangesNothing() {
        assertEquals("lock item rewritten with the same lock id", skipped(Kind.MODIFY, lock(ID_1), lock(ID_1)));
    }

    @Test
    void digestItemsWrittenAndRemovedAreDigestHistory() {
        HistoryEvent created = recorded(Kind.INSERT, null, digest("ad37533d627aecda1ac35c00e2ee3a7f")).get(0);
        assertEquals(EventType.DIGEST_UPDATED, created.type());
        assertEquals(PATH, created.state().path());
        assertEquals(new Facts.DigestUpdated("ad37533d627aecda1ac35c00e2ee3a7f", null), created.facts());

        HistoryEvent changed = recorded(Kind.MODIFY, digest("8b1a9953c4611296a827abf8c47804d7"),
                digest("ad37533d627aecda1ac35c00e2ee3a7f")).get(0);
        assertEquals(EventType.DIGEST_UPDATED, changed.type());
        assertEquals(new Facts.DigestUpdated("ad37533d627aecda1ac35c00e2ee3a7f", "8b1a9953c4611296a827abf8c47804d7"),
                changed.facts());

        HistoryEvent removed = recorded(Kind.REMOVE, digest("ad37533d627aecda1ac35c00e2ee3a7f"), null).get(0);
        assertEquals(EventType.DIGEST_REMOVED, removed.type());
        assertEquals(new Facts.DigestRemoved("ad37533d627aecda1ac35c00e2ee3a7f"), removed.facts());
    }

    @Test
    void aDigestRewrittenUnchangedChangesNothing() {
        assertEquals("digest item rewritten with the same digest",
                skipped(Kind.MODIFY, digest("ad37533d627aecda1ac35c00e2ee3a7f"), digest("ad37533d627aecda1ac35c00e2ee3a7f")));
    }

    @Test
    void aLockItemThatStopsBeingALockIsAReleaseAndNothingMore() {
        Image broken = new Image(Map.of("LockID", PATH, "Info", "oops"), Map.of("LockID", "S", "Info", "S"));

        assertEquals(List.of(EventType.LOCK_RELEASED),
                recorded(Kind.MODIFY, lock(ID_1), broken).stream().map(HistoryEvent::type).toList());
    }

    @Test
    void foreignItemsAndMissingImagesAreSkippedWithTheReason() {
        assertEquals("neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)",
                skipped(Kind.INSERT, null, FOREIGN));
        assertEquals("neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)",
                skipped(Kind.REMOVE, FOREIGN, null));
        assertEquals("neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)",
                skipped(Kind.MODIFY, FOREIGN, FOREIGN));
        assertEquals("no NewImage: the stream view type must be NEW_AND_OLD_IMAGES", skipped(Kind.INSERT, null, null));
        assertEquals("no OldImage: the stream view type must be NEW_AND_OLD_IMAGES", skipped(Kind.REMOVE, null, null));
        assertEquals("no OldImage: the stream view type must be NEW_AND_OLD_IMAGES", skipped(Kind.MODIFY, null, lock(ID_1)));
        assertEquals("no NewImage: the stream view type must be NEW_AND_OLD_IMAGES", skipped(Kind.MODIFY, lock(ID_1), null));
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.rules.StaleLocks;
import static dev.lockauditor.audit.StateFixtures.BUCKET;
import static dev.lockauditor.audit.StateFixtures.KEY;
import static dev.lockauditor.audit.StateFixtures.PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.config.Environments;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.handler.Components;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.InMemoryBookkeeping;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SweepTest {

    static final Instant NOW = Instant.parse("2025-03-14T11:30:00Z");
    static final StatePath STATE = new StatePath(PATH, BUCKET, KEY, "staging");

    final InMemoryBackend backend = new InMemoryBackend();
    final InMemoryHistoryStore history = new InMemoryHistoryStore();
    final List<Alert> published = new CopyOnWriteArrayList<>();
    final TestTime time = new TestTime(NOW);
    final InMemoryBookkeeping bookkeeping = new InMemoryBookkeeping();
    final TestLockStream stream = new TestLockStream();

    Components components() {
        return Wiring.components(backend, history, bookkeeping, stream, published, time,
                Map.of("STALE_LOCK_OVERRIDES", "env:/prod/*=180", "STATE_EXCLUDE_SUFFIXES", ""));
    }

    Sweep sweeper() {
        return components().sweep();
    }

    List<AlertType> types() {
        return published.stream().map(Alert::type).toList();
    }

    void acknowledge(LockInfo lock, Instant at, Instant until) throws Exception {
        history.write(List.of(new HistoryEvent(STATE, at, Source.LOCK, "ack", lock.id(), "ack",
                new Facts.LockAcknowledged(lock.id(), "arn:aws:sts::123456789012:assumed-role/platform/alice",
                        "database migration", until))));
    }

    @Test
    void aLockAcknowledgedAsHeldOnPurposeGetsNoReminderWhileItLastsAndTheNextLockDoes() throws Exception {
        LockInfo maintenance = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofHours(2)));
        backend.locks.put(PATH, maintenance);
        acknowledge(maintenance, NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(8)));

        sweeper().sweep();
        time.advance(Duration.ofHours(4));
        sweeper().sweep();
        assertEquals(List.of(), types(), "acknowledged: no alert, no reminder");

        time.advance(Duration.ofHours(5));
        sweeper().sweep();
        assertEquals(List.of(AlertType.STALE_LOCK), types(), "the acknowledgement is over");

        published.clear();
        LockInfo next = StateFixtures.lockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", time.instant().minus(Duration.ofHours(2)));
        backend.locks.put(PATH, next);
        sweeper().sweep();
        assertEquals(List.of(AlertType.STALE_LOCK), types(), "another lock on the state is not covered");
        assertEquals(next.id(), published.get(0).lock().id());
    }

    @Test
    void aSweepBetweenAWorkspaceDeletesTwoDeletionsDoesNotCallTheDigestOrphaned() throws Exception {
        backend.digests.put(PATH, "ad37533d627aecda1ac35c00e2ee3a7f");
        LockInfo delete = new LockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "state-replace-provider", "", "ci@runner",
                "1.11.2", NOW.minusSeconds(12).toString(), PATH);
        StateFixtures.lockHistory(history, STATE, delete, NOW.minusSeconds(12), NOW.minusSeconds(10));

        sweeper().sweep();
        assertEquals(List.of(), types(), "the object is gone and the digest item goes next: not orphaned");

        time.advance(Duration.ofHours(1));
        sweeper().sweep();
        assertEquals(List.of(AlertType.ORPHANED_DIGEST), types(), "still there an hour later: orphaned");
    }

    @Test
    void aLockTakenTwoHoursAgoIsAlertedOnceNotOncePerSweep() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofHours(2)));
        backend.locks.put(PATH, lock);

        Sweep.Summary first = sweeper().sweep();
        time.advance(Duration.ofMinutes(5));
        Sweep.Summary second = sweeper().sweep();

        assertEquals(List.of(AlertType.STALE_LOCK), types());
        assertEquals(1, first.staleLocks());
        assertEquals(1, first.alertsRaised());
        assertEquals(0, second.alertsRaised());
        Alert alert = published.get(0);
        assertEquals(lock, alert.lock());
        assertEquals(7200L, alert.facts().get("heldForSeconds"));
        assertTrue(alert.remediation().contains("terraform force-unlock 9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382"));
        assertTrue(alert.remediation().contains("tofu force-unlock 9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382"));
        assertTrue(alert.remediation().contains("terraform workspace select staging"));
    }

    @Test
    void aStaleLockIsRemindedAfterTheReminderInterval() throws Exception {
        backend.locks.put(PATH, StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofHours(2))));

        sweeper().sweep();
        time.advance(Duration.ofMinutes(239));
        sweeper().sweep();
        time.advance(Duration.ofMinutes(1));
        sweeper().sweep();

        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK), types());
        assertEquals(false, published.get(0).facts().get("reminder"));
        assertEquals(true, published.get(1).facts().get("reminder"));
        assertTrue(published.get(1).summary().startsWith("Still stale"));
    }

    @Test
    void freshLocksAndLocksUnderTheirOverrideAreNotStale() throws Exception {
        backend.locks.put(PATH, StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofMinutes(59))));
        String prod = BUCKET + "/env:/prod/network/terraform.tfstate";
        backend.locks.put(prod, new LockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "OperationTypeApply", "", "ci", "1.11.2",
                NOW.minus(Duration.ofMinutes(170)).toString(), prod));

        Sweep.Summary summary = sweeper().sweep();

        assertEquals(2, summary.locks());
        assertEquals(0, summary.staleLocks());
        assertEquals(List.of(), types());
    }

    @Test
    void aLockHeldAsBothItemAndLockFileIsOneLock() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofHours(3)));
        backend.locks.put(PATH, lock);
        backend.put(KEY + ".tflock", lock.toJson(), NOW.minus(Duration.ofHours(3)));
        String other = "env:/dev/app.tfstate";
        LockInfo fileOnly = new LockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "OperationTypePlan", "", "dev@laptop",
                "1.10.0", NOW.minus(Duration.ofHours(5)).toString(), BUCKET + "/" + other);
        backend.put(other + ".tflock", fileOnly.toJson(), NOW.minus(Duration.ofHours(5)));

        Sweep.Summary summary = sweeper().sweep();

        assertEquals(2, summary.locks());
        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK), types());
        assertEquals(java.util.Set.of(lock.id(), fileOnly.id()), published.stream().map(a -> a.lock().id())
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void concurrentSweepsAlertOnce() throws Exception {
        for (int i = 0; i < 20; i++) {
            String path = BUCKET + "/stack-" + i + ".tfstate";
            backend.locks.put(path, new LockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7%04d", i), "OperationTypeApply",
                    "", "ci", "1.11.2", NOW.minus(Duration.ofHours(2)).toString(), path));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Sweep.Summary>> sweeps = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Sweep sweeper = sweeper();
            sweeps.add(pool.submit(() -> {
                start.await();
                return sweeper.sweep();
            }));
        }
        start.countDown();
        int raised = 0;
        for (Future<Sweep.Summary> sweep : sweeps) {
            raised += sweep.get().alertsRaised();
        }
        pool.shutdown();

        assertEquals(20, raised);
        assertEquals(20, published.size());
    }

    @Test
    void aDigestWhoseStateIsGoneIsOrphanedOnceEvenIfItsDeletionAlreadySaidSo() throws Exception {
        backend.digests.put(PATH, "ad37533d627aecda1ac35c00e2ee3a7f");
        String kept = BUCKET + "/kept.tfstate";
        backend.digests.put(kept, InMemoryBackend.md5("{}"));
        backend.put("kept.tfstate", "{}", NOW);

        Sweep.Summary summary = sweeper().sweep();
        sweeper().sweep();

        assertEquals(2, summary.digests());
        assertEquals(1, summary.orphanedDigests());
        assertEquals(List.of(AlertType.ORPHANED_DIGEST), types());
    }

    @Test
    void theReleaseOfALockAlertedAsStaleIsAnnouncedOnce() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofHours(2)));
        backend.locks.put(PATH, lock);
        sweeper().sweep();
        StaleLockNotices notices = components().staleLockNotices();
        Facts.Lock facts = Facts.Lock.of(lock);

        notices.released(STATE, facts, NOW.plus(Duration.ofMinutes(10)), "release-from-table");
        notices.released(STATE, facts, NOW.plus(Duration.ofMinutes(10)), "release-from-lock-file");
        notices.released(STATE, new Facts.Lock("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", null, null, null,
                NOW.minus(Duration.ofHours(3)), null), NOW, "another-lock");
        notices.released(STATE, new Facts.Lock(lock.id(), null, null, null, NOW.minus(Duration.ofMinutes(5)), null),
                NOW, "a-short-lock-is-not-looked-up");

        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK_CLEARED), types());
        assertEquals(7800L, published.get(1).facts().get("heldForSeconds"));
        assertTrue(published.get(1).summary().contains("released after 2h 10m"));
    }

    @Test
    void aReleaseWhoseEventWasLostIsRecordedByTheSweepAndClearsItsStaleLockAlert() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofHours(2)));
        backend.locks.put(PATH, lock);
        StateFixtures.lockHistory(history, STATE, lock, NOW.minus(Duration.ofHours(2)), null);
        new LockIndex(bookkeeping).recorded(history.history(PATH));
        sweeper().sweep();
        assertEquals(List.of(AlertType.STALE_LOCK), types());

        backend.locks.remove(PATH);  // released; its stream record went to the dead-letter queue
        time.advance(Duration.ofMinutes(5));
        assertEquals(0, sweeper().sweep().reconciled(), "gone at one sweep may be a release still on its way");
        time.advance(Duration.ofMinutes(5));
        Sweep.Summary summary = sweeper().sweep();

        assertEquals(1, summary.reconciled());
        assertEquals(List.of(AlertType.STALE_LOCK, AlertType.STALE_LOCK_CLEARED), types());
        HistoryEvent released = history.history(PATH).stream()
                .filter(entry -> entry.type() == EventType.LOCK_RELEASED).findFirst().orElseThrow();
        assertEquals("sweep", released.sourceId());
        assertEquals(NOW.plus(Duration.ofMinutes(5)), released.at(), "released by the time the sweep first found it gone");
        assertEquals(List.of(), bookkeeping.heldLocks());
        time.advance(Duration.ofMinutes(5));
        assertEquals(0, sweeper().sweep().reconciled(), "recorded once");
    }

    @Test
    void aReleaseStillOnItsWayWhileTheLockStreamLagsIsNotReconciled() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofMinutes(20)));
        StateFixtures.lockHistory(history, STATE, lock, NOW.minus(Duration.ofMinutes(20)), null);
        new LockIndex(bookkeeping).recorded(history.history(PATH));
        bookkeeping.lockStreamRecordedTo(new Bookkeeping.StreamPosition(NOW.minus(Duration.ofMinutes(20)), "100"));
        stream.lagging = true;

        sweeper().sweep();
        time.advance(Duration.ofMinutes(10));
        sweeper().sweep();

        assertEquals(0, history.history(PATH).stream().filter(e -> e.type() == EventType.LOCK_RELEASED).count());
        assertEquals(1, bookkeeping.heldLocks().size(), "kept until the stream's processing has caught up");
    }

    @Test
    void aLockHeldWithNoAcquisitionRecordedIsRecordedOnce() throws Exception {
        LockInfo lock = StateFixtures.lockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", NOW.minus(Duration.ofMinutes(30)));
        backend.locks.put(PATH, lock);

        assertEquals(1, sweeper().sweep().reconciled());
        time.advance(Duration.ofMinutes(5));
        assertEquals(0, sweeper().sweep().reconciled());

        List<HistoryEvent> acquired = history.history(PATH).stream()
                .filter(entry -> entry.type() == EventType.LOCK_ACQUIRED).toList();
        assertEquals(1, acquired.size());
        assertEquals(lock.createdInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), acquired.get(0).at());
        assertEquals(Source.DYNAMODB, acquired.get(0).source());
        assertEquals(lock.id(), ((Facts.LockAcquired) acquired.get(0).facts()).lock().id());
    }

    @Test
    void lockFilesAreKnownFromTheirEventsAndTheBucketIsListedOnlyForTheDailyFullListing() throws Exception {
        for (int i = 0; i < 50; i++) {
            backend.put("modules/module-" + i + ".zip", "zip", NOW.minus(Duration.ofDays(3)));
        }
        LockInfo known = new LockInfo("3b7e9d10-52c4-a8f1-6e0d-91b2c7a4f583", "OperationTypeApply", "", "ci@runner",
                "1.11.2", NOW.minus(Duration.ofHours(2)).toString(), PATH);
        backend.put(KEY + ".tflock", known.toJson(), NOW.minus(Duration.ofHours(2)));
        bookkeeping.held(new Bookkeeping.HeldLock(Source.S3_LOCK_FILE, STATE, Facts.Lock.of(known), null));
        StatePath other = new StatePath(BUCKET + "/other/terraform.tfstate", BUCKET, "other/terraform.tfstate", "default");
        LockInfo unknown = new LockInfo("51b2c7a4-f583-3b7e-9d10-52c4a8f16e0d", "OperationTypeApply", "", "bob@laptop",
                "1.11.2", NOW.minus(Duration.ofHours(3)).toString(), other.path());
        backend.put("other/terraform.tfstate.tflock", unknown.toJson(), NOW.minus(Duration.ofHours(3)));

        Sweep.Summary first = sweeper().sweep();
        assertEquals(1, backend.listings, "the first sweep makes the full listing");
        assertEquals(2, first.staleLocks(), "the lock file it did not know is found by the listing");
        assertEquals(2, bookkeeping.heldLocks().size());

        for (int sweep = 0; sweep < 12; sweep++) {
            time.advance(Duration.ofMinutes(5));
            assertEquals(2, sweeper().sweep().locks());
        }
        assertEquals(1, backend.listings, "no listing between full listings: the lock files are known");

        time.advance(Duration.ofHours(24));
        sweeper().sweep();
        assertEquals(2, backend.listings, "the next full listing a day later");
    }

    @Test
    void theFullListingRecordsAStateWhoseLatestWriteWasNeverRecorded() throws Exception {
        String body = StateFixtures.terraformState(12, "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13");
        backend.put(KEY, body, NOW.minus(Duration.ofHours(1)));
        backend.digests.put(PATH, InMemoryBackend.md5(body));
        backend.put("env:/staging/app/terraform.tfstate", StateFixtures.terraformState(3, "0b9f6a3e-1d2c-4e5f-8a7b-6c5d4e3f2a1b"),
                NOW.minusSeconds(30));
        backend.put("modules/vpc.zip", "zip", NOW.minus(Duration.ofDays(9)));

        assertEquals(1, sweeper().sweep().reconciled(), "a write this recent may still have its event on the way");
        HistoryEvent written = history.history(PATH).get(0);
        assertEquals(EventType.STATE_WRITTEN, written.type());
        assertEquals("sweep", written.sourceId());
        assertEquals(12L, ((Facts.StateWritten) written.facts()).header().serial());
        assertEquals(FullListing.RECONCILED, ((Facts.StateWritten) written.facts()).object().reason());

        time.advance(Duration.ofHours(25));
        assertEquals(1, sweeper().sweep().reconciled(), "the next full listing: only the write it had not seen");
        assertEquals(1, history.history(PATH).size());
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.backend.Restores;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.backend.StateHeaders;
import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.terraform.StatePath;
import java.util.List;
import java.util.Optional;

/**
 * A write at a state's key: its header recorded (only its header is ever read of it), and the write checked against
 * the writes around it ({@link Rollbacks}), the locks that covered it ({@link WriteLocks}: an unlocked write) and its
 * digest ({@link DigestVerifier}). What Terraform would refuse to load is recorded too, and alerted, when the key held a
 * state (by history, or by the bucket's versions) or is named as a state's; anything else that is not a state (a plan
 * file, an archive, another tool's object) is skipped.
 */
public record StateWrites(AuditSettings settings, StateBucket bucket, HistoryStore history, WriteLocks locks,
                          AlertRaiser alerts, DigestVerifier digests, ObjectEntries entries) {

    public Outcome written(StatePath state, ObjectEvent event) throws HistoryStore.WriteFailure {
        Optional<StateHeaders.Read> read = StateHeaders.read(bucket, event.key(), event.versionId(), event.etag(),
                locks.lockTable());
        if (read.isEmpty()) {
            return new Outcome.Skipped("the object was gone before its header could be read");
        }
        StateHeaders.Read object = read.get();
        Restores.LastReadable lastReadable = null;
        if (object.notAState() != null) {
            lastReadable = Restores.before(bucket, state, event.versionId(), alerts.words().lockTableName());
            if (!settings.namedAsState(event.key()) && lastReadable.restore().isEmpty() && !heldAState(state)) {
                return new Outcome.Skipped("not a state: " + object.notAState());
            }
        }
        Facts.Header fields = object.fields();
        HistoryEvent written = entries.of(state, Source.STATE_OBJECT, event, object.written(ObjectEntries.facts(event)));
        List<HistoryEvent> recorded = history.write(List.of(written));

        if (fields != null) {
            new Rollbacks(history, bucket, alerts).check(state, written, fields);
        }
        if (lastReadable != null) {
            alerts.about(written, alerts.words().stateUnreadable(state, object.notAState(), object.found(),
                    object.contentType(), event.size(), ObjectEntries.writerOf(written),
                    lastReadable.restore().orElse(null), lastReadable.versioned(), event.at()));
        }
        // Whether, and by which kind of lock, the write was covered decides both the unlocked write and which digest
        // rule applies.
        WriteLocks.Covered covered = locks.atWrite(state, event.at());
        if (covered.lookAgainAt() != null) {
            return new Outcome.Recorded(recorded, covered.lookAgainAt());
        }
        if (covered.kinds().isEmpty()) {
            alerts.about(written, alerts.words().unlockedWrite(state, ObjectEntries.writerOf(written),
                    fields == null ? null : fields.serial(), event.at()));
        }
        if (object.notAState() != null || !locks.lockTable()) {
            // Without a lock table there is no digest. An object that is not a state has no right digest, and setting
            // the digest to its MD5 is the wrong advice: the restore says what is.
            return Outcome.Recorded.decided(recorded);
        }
        DigestVerifier.WriteLock lock = covered.kinds().contains(Source.DYNAMODB) ? DigestVerifier.WriteLock.LOCK_TABLE
                : covered.kinds().isEmpty() ? DigestVerifier.WriteLock.NONE : DigestVerifier.WriteLock.LOCK_FILE_ONLY;
        return new Outcome.Recorded(recorded, digests.afterWrite(state, event.at(), event.eventId(), lock,
                written.caller(), new DigestVerifier.Known(event.etag(), object.md5())).orElse(null));
    }

    /** Whether the state's history holds a write of a readable state. */
    private boolean heldAState(StatePath state) {
        return history.read(HistoryQuery.of(state.path()).kinds(EventType.STATE_WRITTEN).newestFirst().limit(20))
                .stream().anyMatch(entry -> entry.facts() instanceof Facts.StateWritten earlier && earlier.header() != null);
    }
}

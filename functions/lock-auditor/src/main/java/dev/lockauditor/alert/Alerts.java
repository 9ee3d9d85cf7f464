package dev.lockauditor.alert;

import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every alert's summary and remediation: what a person reads, and the commands they can run. */
public final class Alerts {

    /** Who wrote or deleted an object, as S3 reports it. */
    /**
     * Who made a change, as far as the event says: S3 events name a requester only loosely (EventBridge: the
     * account id, or a service such as {@code s3.amazonaws.com}; classic notifications: a principal id), so the
     * description says exactly that much and calls the rest unknown, never presenting a guess as an identity.
     */
    /**
     * Who made a change: what the object's event names ({@code requester}, {@code sourceIp}), and the caller its
     * CloudTrail record names, when that is known.
     */
    public record Writer(String requester, String sourceIp, Facts.Caller caller) {
        private static final java.util.regex.Pattern ACCOUNT = java.util.regex.Pattern.compile("\\d{12}");

        public Writer(String requester, String sourceIp) {
            this(requester, sourceIp, null);
        }

        public String describe() {
            if (caller != null && caller.principalArn() != null) {
                return caller.describe();
            }
            String who = who();
            return sourceIp == null || sourceIp.isEmpty() || sourceIp.equals(requester) ? who : who + " from " + sourceIp;
        }

        private String who() {
            if (requester == null || requester.isEmpty()) {
                return "an unknown principal";
            } else if (ACCOUNT.matcher(requester).matches()) {
                return "a principal of account " + requester + " (which one is unknown)";
            } else if (requester.endsWith(".amazonaws.com")) {
                return "the AWS service " + requester;
            } else if (requester.startsWith("AWS:")) {
                return "the principal with id " + requester.substring(4);
            }
            return requester;
        }

        void addTo(Map<String, Object> facts) {
            Facts.putKnown(facts, HistoryAttributes.WRITER, requester);
            Facts.putKnown(facts, HistoryAttributes.SOURCE_IP, sourceIp != null ? sourceIp : caller == null ? null : caller.sourceIp());
            Alerts.addCaller(facts, caller);
        }
    }

    private final String lockTable;
    private final String lockTableName;

    /** @param lockTable the lock table's name, for the commands in remediations; empty for a backend without one */
    public Alerts(String lockTable) {
        this.lockTableName = lockTable == null ? "" : lockTable;
        this.lockTable = lockTableName.isEmpty() ? "<lock table>" : lockTableName;
    }

    /** The lock table's name, or empty for a backend on lock files alone. */
    public String lockTableName() {
        return lockTableName;
    }

    /** Why a digest no longer matches its state, as far as the lock history tells. */
    public enum MismatchCause {
        /** Written under a lock table lock and released without a digest update: Terraform only warns then. */
        WRITER_DIGEST_FAILED,
        /** Written while no lock was held: the state changed outside Terraform. */
        CHANGED_OUTSIDE_TERRAFORM,
        /** The digest item itself was changed to a value the state does not have. */
        DIGEST_CHANGED
    }

    /** @param caller who made the change that left the mismatch (the write, or the digest change), when known */
    public Alert.Draft digestMismatch(StatePath state, String expectedDigest, String actualDigest, MismatchCause cause,
                                Facts.Caller caller) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("expectedDigest", expectedDigest);
        facts.put("actualDigest", actualDigest);
        facts.put("cause", cause.name());
        addCaller(facts, caller);
        String update = digestUpdate(state, actualDigest);
        String why = switch (cause) {
            case WRITER_DIGEST_FAILED -> "the last write was made under its lock table lock, whose digest update failed "
                    + "(Terraform only warns when it does)";
            case CHANGED_OUTSIDE_TERRAFORM -> "the state was written while no lock was held: it changed outside Terraform";
            case DIGEST_CHANGED -> "the digest item was changed to a value the state object does not have";
        };
        String fix = switch (cause) {
            case WRITER_DIGEST_FAILED -> "The object is Terraform's own last write: " + update + ".";
            case CHANGED_OUTSIDE_TERRAFORM -> "Check the state object first (its serial, lineage and writer are in this "
                    + "state's history). If it is the state you want, " + update + ". If it is not, restore the previous "
                    + "version of " + s3Url(state) + " instead.";
            case DIGEST_CHANGED -> "If the state object is the state you want, " + update + ". If it is not, restore "
                    + "the version of " + s3Url(state) + " whose MD5 is " + expectedDigest + ".";
        };
        return new Alert.Draft(AlertType.DIGEST_MISMATCH, state, null, facts,
                "Digest mismatch on " + state + ": the lock table expects " + expectedDigest
                        + ", the state object's MD5 is " + actualDigest + "; " + why
                        + (caller == null ? "" : " (the change was made by " + caller.describe() + ")"),
                "Every plan and apply on this state fails with \"state data in S3 does not have the expected "
                        + "content\". " + fix);
    }

    /** How to set the lock table's digest of a state to {@code md5}, with the command that does it. */
    public String digestUpdate(StatePath state, String md5) {
        return "update the Digest value stored in the DynamoDB table to the calculated value " + md5
                + ": aws dynamodb put-item --table-name " + Shell.quote(lockTable) + " --item "
                + Shell.quote(digestItem(state, md5));
    }

    /** A state written under an S3 lock file alone, whose digest item (from the lock table days) is left behind. */
    public Alert.Draft staleDigest(StatePath state, String staleDigest, String actualDigest) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("expectedDigest", staleDigest);
        facts.put("actualDigest", actualDigest);
        return new Alert.Draft(AlertType.STALE_DIGEST, state, null, facts,
                "Stale digest on " + state + ": it is written under an S3 lock file alone now (use_lockfile), and the "
                        + "lock table's digest item (" + staleDigest + ") is no longer updated",
                "With the lock file alone neither Terraform nor OpenTofu reads or writes the digest, so nothing fails "
                        + "yet; a configuration that still names the lock table (dynamodb_table) fails on every plan "
                        + "with \"state data in S3 does not have the expected content\". Once no configuration of this "
                        + "state names the table, remove the digest item: aws dynamodb delete-item --table-name "
                        + Shell.quote(lockTable) + " --key " + Shell.quote(digestKey(state)) + ".");
    }

    /**
     * Two different states written with the same lineage and serial: the later one dropped what the earlier wrote.
     *
     * @param restore the earlier write's version, to bring back if it is the state to keep; null when the bucket does
     *                not keep it
     */
    public Alert.Draft serialConflict(StatePath state, String lineage, long serial, Writer earlier, Instant earlierAt,
                                      String earlierVersion, Writer later, Instant laterAt, String laterVersion,
                                      Restore restore) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(HistoryAttributes.LINEAGE, lineage);
        facts.put(HistoryAttributes.SERIAL, serial);
        facts.put("earlierWrittenAt", earlierAt.toString());
        Facts.putKnown(facts, "earlierWriter", earlier.requester());
        Facts.putKnown(facts, "earlierVersionId", earlierVersion);
        facts.put("laterWrittenAt", laterAt.toString());
        Facts.putKnown(facts, "laterWriter", later.requester());
        Facts.putKnown(facts, "laterVersionId", laterVersion);
        addRestore(facts, restore);
        String versions = earlierVersion == null && laterVersion == null ? "the bucket is not versioned, so the earlier "
                + "state cannot be read back from S3 (use a copy from its CI job's logs or a backup)"
                : earlierVersion == null ? "find the earlier version with aws s3api list-object-versions "
                + "--bucket " + Shell.quote(state.bucket()) + " --prefix " + Shell.quote(state.key())
                : "the earlier version is " + earlierVersion + " (aws s3api get-object --bucket " + Shell.quote(state.bucket())
                        + " --key " + Shell.quote(state.key()) + " --version-id " + Shell.quote(earlierVersion)
                        + " earlier.tfstate)";
        return new Alert.Draft(AlertType.SERIAL_CONFLICT, state, null, facts,
                "Two different states written as serial " + serial + " of " + state + ": at " + earlierAt + " by "
                        + earlier.describe() + ", then at " + laterAt + " by " + later.describe()
                        + "; what the first wrote is no longer tracked",
                "Terraform never writes two states with the same lineage and serial: two applies ran from the same "
                        + "state without its lock (-lock=false). The current state is the later one; " + versions
                        + ", compare the two (terraform show on each), and bring what only the earlier one tracks back "
                        + "under management (terraform import), or it stays in your account untracked"
                        + (restore == null ? "." : ". If the earlier one is the state to keep, "
                        + restore.inWords() + "."));
    }

    /** A workspace deleted as Terraform deletes one: its lock taken and released, then its state and digest removed. */
    public Alert.Draft workspaceDeleted(StatePath state, LockInfo lock, Writer writer, boolean deleteMarker, String versionId,
                                  Instant deletedAt) {
        Map<String, Object> facts = deletionFacts(writer, deleteMarker, versionId, deletedAt);
        String restore = deleteMarker && versionId != null
                ? removeDeleteMarker(state, versionId) + ", then put back its digest item"
                : "restore it from a backup (the bucket is not versioned)";
        return new Alert.Draft(AlertType.WORKSPACE_DELETED, state, lock, facts,
                "Workspace " + state.workspace() + " deleted: " + state + " was removed by terraform workspace delete, "
                        + "run by " + who(lock.who()) + " (lock ID " + lock.id() + ")",
                "Nothing to do if the workspace was meant to go. If it was not: " + restore + ".");
    }

    public Alert.Draft orphanedDigest(StatePath state, String digest) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("expectedDigest", digest);
        return new Alert.Draft(AlertType.ORPHANED_DIGEST, state, null, facts,
                "Orphaned digest for " + state + ": the state object is gone but the lock table still holds its digest",
                "terraform init, plan and apply on this state now fail with a checksum error. If the state was deleted "
                        + "on purpose, delete the digest: aws dynamodb delete-item --table-name " + lockTable
                        + " --key " + Shell.quote(digestKey(state)) + ". If it was not, "
                        + "restore the state object first (see STATE_DELETED).");
    }

    public Alert.Draft unlockedWrite(StatePath state, Writer writer, Long serial, Instant writtenAt) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("writtenAt", writtenAt.toString());
        writer.addTo(facts);
        Facts.putKnown(facts, HistoryAttributes.SERIAL, serial);
        return new Alert.Draft(AlertType.UNLOCKED_WRITE, state, null, facts,
                "Unlocked write to " + state + (serial == null ? "" : " (serial " + serial + ")") + " by "
                        + writer.describe() + " while no lock was held",
                "This state was written without its lock: terraform with -lock=false, or a copy by hand (aws s3 cp). "
                        + "Find out what ran (the bucket's event names " + writer.describe() + "; CloudTrail data "
                        + "events name the principal), and make sure no other apply ran at the same time. "
                        + "Then run terraform plan in this workspace: if it shows changes nobody made, restore the "
                        + "previous version of " + s3Url(state) + ".");
    }

    /**
     * Something Terraform cannot load written at a state's key: an HTML page, an empty object, a truncated upload,
     * JSON without a state's fields.
     *
     * @param restore the last readable version to bring back, or null (an unversioned bucket, or none readable)
     */
    public Alert.Draft stateUnreadable(StatePath state, String whyNotAState, String found, String contentType, Long size,
                                 Writer writer, Restore restore, boolean versioned, Instant writtenAt) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("writtenAt", writtenAt.toString());
        facts.put(HistoryAttributes.WHY_UNREADABLE, whyNotAState);
        Facts.putKnown(facts, HistoryAttributes.FOUND, found);
        Facts.putKnown(facts, HistoryAttributes.CONTENT_TYPE, contentType);
        Facts.putKnown(facts, HistoryAttributes.SIZE, size);
        writer.addTo(facts);
        if (restore != null) {
            facts.put("restore", restore.asFact());
        }
        String bringBack = bringBackReadable(restore, versioned);
        return new Alert.Draft(AlertType.STATE_UNREADABLE, state, null, facts,
                "State " + state + " was overwritten with " + (found == null ? "something" : found) + " that Terraform "
                        + "cannot load (" + whyNotAState + "), by " + writer.describe(),
                "Every plan and apply on this state now fails (\"Failed to load state\"), or, for an empty object, "
                        + "sees no state at all and would create everything again. Nobody should apply until it is "
                        + "fixed. Ask " + writer.describe() + " what wrote it. " + bringBack);
    }

    /**
     * What to do about a state Terraform cannot load: bring back its last readable version, or, when there is none
     * ({@code versioned} false: the bucket keeps no versions), restore it from a backup.
     */
    public static String bringBackReadable(Restore restore, boolean versioned) {
        return restore != null ? "Restore the last readable state: " + restore.inWords() + "."
                : versioned ? "No earlier version of it reads as a state: restore it from a backup (terraform state push "
                        + "of a copy you trust)."
                : "The bucket is not versioned, so the last readable state cannot be brought back from S3: restore it from "
                        + "a backup (terraform state push of a copy you trust), and turn versioning on.";
    }

    /**
     * @param restore   the version of the replaced state to bring back, or null when the bucket does not tell it
     * @param versioned whether the bucket keeps versions (the write's event named one)
     */
    public Alert.Draft serialRegression(StatePath state, long previousSerial, long serial, String lineage, Writer writer,
                                        Restore restore, boolean versioned) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("previousSerial", previousSerial);
        facts.put(HistoryAttributes.SERIAL, serial);
        facts.put(HistoryAttributes.LINEAGE, lineage);
        writer.addTo(facts);
        addRestore(facts, restore);
        return new Alert.Draft(AlertType.SERIAL_REGRESSION, state, null, facts,
                "State " + state + " went back from serial " + previousSerial + " to " + serial + " (same lineage), "
                        + "written by " + writer.describe(),
                "An older state replaced a newer one: resources created since serial " + serial + " are no longer "
                        + "tracked. " + restoreVersion(state, "the version with serial " + previousSerial, restore, versioned)
                        + " If the rollback was deliberate, run terraform plan to review what it no longer tracks.");
    }

    /**
     * @param restore   the version of the replaced state to bring back, or null when the bucket does not tell it
     * @param versioned whether the bucket keeps versions (the write's event named one)
     */
    public Alert.Draft lineageChanged(StatePath state, String previousLineage, long previousSerial, String lineage,
                                      long serial, Writer writer, Restore restore, boolean versioned) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("previousLineage", previousLineage);
        facts.put("previousSerial", previousSerial);
        facts.put(HistoryAttributes.LINEAGE, lineage);
        facts.put(HistoryAttributes.SERIAL, serial);
        writer.addTo(facts);
        addRestore(facts, restore);
        return new Alert.Draft(AlertType.LINEAGE_CHANGED, state, null, facts,
                "State " + state + " was replaced by a different state (lineage " + previousLineage + " became "
                        + lineage + "), written by " + writer.describe(),
                "A different state was pushed over this one (terraform state push -force, or a copy from another "
                        + "workspace or backend). Unless that was intended: "
                        + restoreVersion(state, "the version with lineage " + previousLineage, restore, versioned));
    }

    /** @param restore the version under the delete marker, to bring back, or null when the bucket does not tell it */
    public Alert.Draft stateDeleted(StatePath state, Writer writer, boolean deleteMarker, String versionId,
                              Instant deletedAt, Restore restore) {
        Map<String, Object> facts = deletionFacts(writer, deleteMarker, versionId, deletedAt);
        addRestore(facts, restore);
        String bringBack = deleteMarker && versionId != null
                ? removeDeleteMarker(state, versionId)
                : "without versioning the state is gone: restore it from a backup, or import the resources again "
                        + "with terraform import";
        return new Alert.Draft(AlertType.STATE_DELETED, state, null, facts,
                "State " + state + " was deleted by " + writer.describe(),
                "If this was not terraform workspace delete, restore the state now: " + bringBack
                        + ". Until then Terraform sees an empty state and would create everything again.");
    }

    /**
     * A backfill from the bucket's versions finished. Its state is the bucket itself: the notice is about the
     * backend, kept in history under the bucket's name.
     */
    public Alert.Draft backfillCompleted(String bucket, Instant since, long versionsRead, long states, long stateWrites,
                                         long lockSessions, long findings) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("since", since.toString());
        facts.put("versionsRead", versionsRead);
        facts.put("states", states);
        facts.put("stateWrites", stateWrites);
        facts.put("lockSessions", lockSessions);
        facts.put("findings", findings);
        StatePath backend = new StatePath(bucket, bucket, "", StatePath.DEFAULT_WORKSPACE);
        if (versionsRead == 0) {
            return new Alert.Draft(AlertType.BACKFILL_COMPLETED, backend, null, facts,
                    "No history of " + bucket + " since " + since + " to reconstruct: the bucket holds no versions of "
                            + "its states and lock files from before the auditor watched (it is new, or keeps no "
                            + "versions)",
                    "If the state bucket is not versioned, turn versioning on, as Terraform's documentation asks: "
                            + "without it, a state rolled back, overwritten or deleted cannot be brought back from S3.");
        }
        return new Alert.Draft(AlertType.BACKFILL_COMPLETED, backend, null, facts,
                "History of " + bucket + " since " + since + " reconstructed from its versions: " + stateWrites
                        + " state writes and " + lockSessions + " lock sessions of " + states + " states, "
                        + findings + (findings == 1 ? " past finding" : " past findings"),
                findings == 0 ? "Nothing to do: bin/lock-auditor history shows each state's past, marked as "
                        + "reconstructed from versions."
                        : "Nothing is broken now because of this notice: the findings are past anomalies (rollbacks, "
                        + "lineage swaps, same-serial conflicts, deletions, writes no lock covered), kept in history "
                        + "and never alerted. Read them with bin/lock-auditor history STATE_PATH, or list them all "
                        + "with bin/lock-auditor backfill --format json.");
    }

    public Alert.Draft staleLock(StatePath state, LockInfo lock, long heldForSeconds, Duration threshold, boolean reminder) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(HistoryAttributes.HELD_FOR_SECONDS, heldForSeconds);
        facts.put("thresholdMinutes", threshold.toMinutes());
        facts.put("reminder", reminder);
        return new Alert.Draft(AlertType.STALE_LOCK, state, lock, facts,
                (reminder ? "Still stale: lock on " : "Stale lock on ") + state + " held for " + duration(heldForSeconds)
                        + " by " + who(lock.who()) + " (" + operation(lock.operation()) + ", lock ID " + lock.id() + ")",
                "Every plan and apply on this state fails with \"Error acquiring the state lock\" until it is "
                        + "released. First check that " + who(lock.who()) + " is really gone (the CI job was cancelled or "
                        + "killed, the laptop is closed): releasing a lock that is in use can corrupt the state. Then, "
                        + "from the configuration's directory" + workspace(state) + ", run: terraform force-unlock "
                        + lock.id() + " (OpenTofu: tofu force-unlock " + lock.id() + ").");
    }

    public Alert.Draft staleLockCleared(StatePath state, LockInfo lock, long heldForSeconds) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(HistoryAttributes.HELD_FOR_SECONDS, heldForSeconds);
        return new Alert.Draft(AlertType.STALE_LOCK_CLEARED, state, lock, facts,
                "Stale lock on " + state + " released after " + duration(heldForSeconds) + " (lock ID " + lock.id() + ")",
                "Nothing to do: the state can be locked again. If the lock was released with force-unlock, "
                        + "run terraform plan to check that the interrupted operation left nothing half done.");
    }

    /**
     * A lock released by someone other than its holder: another principal, or the same from another address, as the
     * CloudTrail records of its acquisition and its release name them ({@code terraform force-unlock} from another
     * machine, a script deleting the item or the lock file).
     */
    public Alert.Draft lockForceReleased(StatePath state, Facts.Lock lock, Facts.Caller takenBy, Facts.Caller releasedBy,
                                   Long heldForSeconds) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("takenBy", takenBy.describe());
        facts.put("releasedBy", releasedBy.describe());
        Facts.putKnown(facts, "takenByPrincipalArn", takenBy.principalArn());
        Facts.putKnown(facts, "releasedByPrincipalArn", releasedBy.principalArn());
        Facts.putKnown(facts, HistoryAttributes.HELD_FOR_SECONDS, heldForSeconds);
        String held = heldForSeconds == null ? "" : " after " + duration(heldForSeconds);
        return new Alert.Draft(AlertType.LOCK_FORCE_RELEASED, state, lock.toLockInfo(state.path()), facts,
                "Lock on " + state + " (" + who(lock.who()) + ", " + operation(lock.operation()) + ") was released" + held + " by "
                        + releasedBy.describe() + ", not by " + takenBy.describe() + " who took it",
                "Find out why: a force-unlock while the holder was still running lets a second apply write the same "
                        + "state. Ask " + who(lock.who()) + " whether the operation had ended; if it had not, run "
                        + "terraform plan" + workspace(state) + " and check the state's history for writes by both.");
    }

    /** A lock item DynamoDB's time to live deleted: the table itself released a lock that may still be in use. */
    public Alert.Draft lockRemovedByTtl(StatePath state, Facts.Lock lock, Long heldForSeconds) {
        Map<String, Object> facts = new LinkedHashMap<>();
        Facts.putKnown(facts, HistoryAttributes.HELD_FOR_SECONDS, heldForSeconds);
        LockInfo info = lock == null ? null : lock.toLockInfo(state.path());
        return new Alert.Draft(AlertType.LOCK_REMOVED_BY_TTL, state, info, facts,
                "Lock on " + state + (lock == null ? "" : " (" + who(lock.who()) + ", " + operation(lock.operation()) + ")")
                        + " was deleted by the lock table's time to live, not by Terraform",
                "A time to live on the lock table deletes locks that may still be held, and lets a second apply run. "
                        + "Terraform's lock table needs none: find its attribute with aws dynamodb describe-time-to-live "
                        + "--table-name " + lockTable + ", and switch it off with aws dynamodb update-time-to-live "
                        + "--table-name " + lockTable + " --time-to-live-specification Enabled=false,AttributeName=<that "
                        + "attribute>. Then check that the operation holding the lock had ended (terraform plan"
                        + workspace(state) + ").");
    }

    /** Who made a change an earlier alert was about: its CloudTrail record came after the alert was raised. */
    public Alert.Draft callerIdentified(StatePath state, AlertType earlier, Instant changedAt, Facts.Caller caller) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("alertType", earlier.name());
        facts.put("changedAt", changedAt.toString());
        addCaller(facts, caller);
        return new Alert.Draft(AlertType.CALLER_IDENTIFIED, state, null, facts,
                "The " + earlier.name() + " on " + state + " at " + changedAt + " was made by " + caller.describe(),
                "Follow the " + earlier.name() + " alert's advice, starting with " + (caller.principalArn() == null
                        ? "whoever made the request" : caller.principalArn()) + ".");
    }

    /** The caller's fields, as far as known. */
    static void addCaller(Map<String, Object> facts, Facts.Caller caller) {
        if (caller == null) {
            return;
        }
        Facts.putKnown(facts, HistoryAttributes.PRINCIPAL_ARN, caller.principalArn());
        Facts.putKnown(facts, HistoryAttributes.USER_AGENT, caller.userAgent());
        Facts.putKnown(facts, HistoryAttributes.TOOL, caller.tool());
        if (caller.sourceIp() != null) {
            facts.putIfAbsent(HistoryAttributes.SOURCE_IP, caller.sourceIp());
        }
    }

    /** A duration as people read it: {@code 2h 5m}, {@code 45m}, {@code 30s}. */
    /**
     * A lock's {@code Who} as a person should read it: Terraform writes {@code user@host}, and in containers often
     * {@code @host} with no user name, which is an unknown user on that host.
     */
    public static String who(String who) {
        if (who == null || who.isEmpty()) {
            return "an unknown holder";
        }
        return PlainText.cut(who.startsWith("@") ? "an unknown user on " + who.substring(1) : who, SHOWN);
    }

    /** A lock's {@code Operation} as a message shows it: whoever holds a lock chooses it, and its length. */
    static String operation(String operation) {
        return PlainText.cut(operation, SHOWN);
    }

    /** The longest a value of the lock's holder's choosing is shown in an alert's words. */
    static final int SHOWN = 256;

    public static String duration(long seconds) {
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m" : seconds + "s";
    }

    private static String workspace(StatePath state) {
        return StatePath.DEFAULT_WORKSPACE.equals(state.workspace()) ? ""
                : " with workspace " + state.workspace() + " selected (terraform workspace select "
                        + Shell.quote(state.workspace()) + ")";
    }

    private static void addRestore(Map<String, Object> facts, Restore restore) {
        if (restore != null) {
            facts.put("restore", restore.asFact());
        }
    }

    /** Bring back the replaced state: the version found, or how to find it when the bucket did not tell. */
    private static String restoreVersion(StatePath state, String which, Restore restore, boolean versioned) {
        if (restore != null) {
            return "Restore " + which + ": " + restore.inWords() + ".";
        }
        if (!versioned) {
            return "The bucket is not versioned, so " + which + " cannot be brought back from S3: push a copy you trust "
                    + "(terraform state push), and turn versioning on.";
        }
        return "Restore " + which + ": find it with aws s3api list-object-versions --bucket " + state.bucket()
                + " --prefix " + Shell.quote(state.key()) + ", copy it over the current object with aws s3api copy-object "
                + "--bucket " + Shell.quote(state.bucket()) + " --key " + Shell.quote(state.key()) + " --copy-source "
                + Restore.copySource(state, "VERSION_ID")
                + " (VERSION_ID: that version's id), then update the Digest item to the restored object's MD5.";
    }

    private static String digestItem(StatePath state, String digest) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("LockID", Map.of("S", StateKeys.digestLockId(state.path())));
        item.put("Digest", Map.of("S", digest));
        return Restore.json(item);
    }

    /** The key of a state's digest item, as {@code aws dynamodb} takes it. */
    private static String digestKey(StatePath state) {
        return Restore.json(Map.of("LockID", Map.of("S", StateKeys.digestLockId(state.path()))));
    }

    private static String s3Url(StatePath state) {
        return "s3://" + state.bucket() + "/" + state.key();
    }

    /** What a deletion's alerts say of it. */
    private static Map<String, Object> deletionFacts(Writer writer, boolean deleteMarker, String versionId,
                                                     Instant deletedAt) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("deletedAt", deletedAt.toString());
        facts.put(HistoryAttributes.DELETE_MARKER, deleteMarker);
        Facts.putKnown(facts, HistoryAttributes.VERSION_ID, versionId);
        writer.addTo(facts);
        return facts;
    }

    private static String removeDeleteMarker(StatePath state, String markerVersionId) {
        return "remove the delete marker: " + Restore.removeMarkerCommand(state, markerVersionId);
    }

}

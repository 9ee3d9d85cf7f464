package dev.lockauditor.audit;

import dev.lockauditor.events.ObjectEvent;
import dev.lockauditor.alert.Alerts.Writer;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** States, lock infos and events as Terraform and S3 make them. */
public final class StateFixtures {

    public static final String BUCKET = "acme-tfstate";
    public static final String KEY = "env:/staging/network/terraform.tfstate";
    public static final String PATH = BUCKET + "/" + KEY;
    public static final String LINEAGE = "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13";
    public static final String OTHER_LINEAGE = "0b9f6a3e-1d2c-4e5f-8a7b-6c5d4e3f2a1b";
    public static final String SECRET = "hunter2-db-password-s3cr3t";

    private static int sequencer = 0x1000;

    private StateFixtures() {
    }

    /** A state as Terraform writes it: indented, header first, then outputs holding a secret. */
    public static String terraformState(long serial, String lineage) {
        return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial
                + ",\n  \"lineage\": \"" + lineage + "\",\n  \"outputs\": {\n    \"db_password\": {\n      \"value\": \""
                + SECRET + "\",\n      \"type\": \"string\",\n      \"sensitive\": true\n    }\n  },\n"
                + "  \"resources\": [],\n  \"check_results\": null\n}\n";
    }

    /** The same as OpenTofu writes it: compact. */
    public static String openTofuState(long serial, String lineage) {
        return "{\"version\":4,\"terraform_version\":\"1.8.3\",\"serial\":" + serial + ",\"lineage\":\"" + lineage
                + "\",\"outputs\":{\"db_password\":{\"value\":\"" + SECRET + "\",\"type\":\"string\"}},\"resources\":[]}";
    }

    /** OpenTofu state encryption: nothing of the header is readable. */
    /** OpenTofu's state encryption: serial and lineage stay plain at the top level, beside the encrypted data. */
    public static String encryptedState() {
        return encryptedState(3, LINEAGE);
    }

    public static String encryptedState(long serial, String lineage) {
        return "{\"serial\":" + serial + ",\"lineage\":\"" + lineage + "\",\"meta\":{\"key_provider.pbkdf2.main\":"
                + "\"eyJzYWx0IjoiQUFBQSJ9\"},\"encrypted_data\":\"" + SECRET + "\",\"encryption_version\":\"v0\"}";
    }

    public static LockInfo lockInfo(String id, Instant created) {
        return new LockInfo(id, "OperationTypeApply", "", "ci@runner-7f9c", "1.11.2", created.toString(), PATH);
    }

    public static ObjectEvent created(String key, Instant at, String versionId, String requester) {
        return new ObjectEvent(ObjectEvent.Kind.CREATED, BUCKET, key, at, nextSequencer(), "event-" + sequencer, 100L,
                null, versionId, false, new Writer(requester, "192.0.2.10"), "PutObject");
    }

    public static ObjectEvent deleted(String key, Instant at, boolean deleteMarker, String versionId, String requester) {
        return new ObjectEvent(ObjectEvent.Kind.DELETED, BUCKET, key, at, nextSequencer(), "event-" + sequencer, null,
                null, versionId, deleteMarker, new Writer(requester, "192.0.2.10"), "DeleteObject");
    }

    private static String nextSequencer() {
        return String.format("0062E99A88DC40%04X", ++sequencer);
    }

    /** A DynamoDB lock's history, as LockEventsFunction records it. */
    public static void lockHistory(HistoryStore history, StatePath state, LockInfo lock, Instant acquiredAt,
                                   Instant releasedAt) throws HistoryStore.WriteFailure {
        Facts.Lock facts = Facts.Lock.of(lock);
        history.write(List.of(new HistoryEvent(state, acquiredAt, Source.DYNAMODB, "a-" + lock.id(),
                Long.toString(acquiredAt.toEpochMilli()), "0", new Facts.LockAcquired(facts, null))));
        if (releasedAt != null) {
            history.write(List.of(new HistoryEvent(state, releasedAt, Source.DYNAMODB, "r-" + lock.id(),
                    Long.toString(releasedAt.toEpochMilli()), "0",
                    new Facts.LockReleased(facts, facts.heldForSecondsAt(releasedAt), null))));
        }
    }
}

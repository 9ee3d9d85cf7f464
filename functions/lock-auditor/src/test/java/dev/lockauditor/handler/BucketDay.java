package dev.lockauditor.handler;

import dev.lockauditor.backend.ObjectHead;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.audit.StateFixtures;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.terraform.LockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * A Terraform team's day on a versioned bucket, one state and its lock file, as the handlers see it: each object
 * written or deleted in memory, and its event made in the shape of the samples in {@code events/}.
 */
final class BucketDay {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "env:/staging/network/terraform.tfstate";
    static final String LOCK_FILE = KEY + ".tflock";
    static final String PATH = "acme-tfstate/" + KEY;

    final TestComponents test;
    final TestContext context = new TestContext();
    private int sequencer = 0x7400;

    /** @param lockTable whether the backend has a lock table (else it is on lock files alone) */
    BucketDay(boolean lockTable) {
        test = new TestComponents();
        test.lockTable = lockTable;
    }

    static boolean samplesPresent() {
        return BucketDay.class.getResource("/events/s3-lock-file-created.json") != null;
    }

    /** An object's event as EventBridge sends it (the shape of the samples), about {@code key} at {@code at}. */
    byte[] event(String sample, String key, Instant at, String versionId, String etag) throws Exception {
        ObjectNode event;
        try (InputStream in = BucketDay.class.getResourceAsStream("/events/" + sample)) {
            event = (ObjectNode) JSON.readTree(in);
        }
        event.put("time", at.toString()).put("id", "event-" + sequencer);
        ObjectNode object = (ObjectNode) event.at("/detail/object");
        object.put("key", key).put("sequencer", String.format("0062E99A88DC40%04X", ++sequencer));
        if (versionId == null) {
            object.remove("version-id");
        } else {
            object.put("version-id", versionId);
        }
        if (etag != null) {
            object.put("etag", etag);
        }
        ((ObjectNode) event.get("detail")).put("request-id", "REQ" + sequencer);
        return JSON.writeValueAsBytes(event);
    }

    JsonNode handle(byte[] event) throws Exception {
        return SqsDelivery.invoke(new StateEventsHandler(test.components()), event, context);
    }

    JsonNode sweep() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] payload = BucketDay.class.getResourceAsStream("/events/scheduled-sweep.json").readAllBytes();
        new StaleLockSweepHandler(test.components()).handleRequest(new ByteArrayInputStream(payload), out, context);
        return JSON.readTree(out.toByteArray());
    }

    LockInfo lock(String operation, String who, Instant created) {
        return new LockInfo(String.format("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7%04x", sequencer), operation, "", who,
                "1.11.2", created.toString(), PATH);
    }

    /** Terraform takes the lock file: a conditional PutObject of the lock info; returns its event. */
    byte[] takeLock(LockInfo lock, Instant at) throws Exception {
        InMemoryBackend.StoredObject object = test.backend.put(LOCK_FILE, lock.toJson(), at);
        return event("s3-lock-file-created.json", LOCK_FILE, at, object.versionId(), object.etag());
    }

    /** Terraform releases it: a plain DeleteObject (a delete marker on a versioned bucket); returns its event. */
    byte[] releaseLock(Instant at) throws Exception {
        test.backend.delete(LOCK_FILE, at);
        return event("s3-lock-file-deleted.json", LOCK_FILE, at, "marker-" + sequencer, null);
    }

    byte[] writeState(long serial, String lineage, Instant at) throws Exception {
        return write(KEY, StateFixtures.terraformState(serial, lineage).getBytes(StandardCharsets.UTF_8), at);
    }

    /** Any bytes written at a key, as a PutObject; returns its event. */
    byte[] write(String key, byte[] body, Instant at) throws Exception {
        InMemoryBackend.StoredObject object = test.backend.put(key, body, at,
                dev.lockauditor.backend.ObjectHead.Encryption.NONE, null);
        ObjectNode event = (ObjectNode) JSON.readTree(event("s3-state-written.json", key, at, object.versionId(),
                object.etag()));
        ((ObjectNode) event.at("/detail/object")).put("size", body.length);
        return JSON.writeValueAsBytes(event);
    }

    /** An apply under the lock file: take it, write the state, release it; the events as they come. */
    void apply(long serial, String lineage, Instant at) throws Exception {
        byte[] taken = takeLock(lock("OperationTypeApply", "ci@runner-7f9c", at), at);
        byte[] written = writeState(serial, lineage, at.plusSeconds(5));
        byte[] released = releaseLock(at.plusSeconds(20));
        handle(taken);
        handle(written);
        handle(released);
    }

    List<AlertType> alerts() {
        return test.published.stream().map(Alert::type).toList();
    }

    List<HistoryEvent> history() {
        return test.history.history(PATH);
    }
}

package dev.lockauditor.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.history.EventType;
import dev.lockauditor.runtime.TerraformS3Backend;
import dev.lockauditor.terraform.LockInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A team running Terraform against one S3 backend through a day, on the day's clock: each run (an apply, a plan, a
 * {@code -lock=false} apply, a {@code state push -force} of an older state, a job killed with its lock held and its
 * {@code force-unlock}, a {@code workspace delete}) writes what Terraform's S3 backend writes, in its order, a few
 * seconds apart; every object event S3 sends and every record the lock table's stream holds is handed to the
 * functions' event sources, stamped with the time of its change. Each run declares the history entries and alerts it
 * must yield.
 */
final class Team {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "123456789012";
    private static final String VERSION = "1.11.2";
    /**
     * The least time between two runs on one state. The auditor allows the backend's clocks {@code LockCoverage.SKEW}
     * (2 s) apart, so a write within that of another run's lock counts as made under it, whoever made it.
     */
    static final Duration PAUSE = Duration.ofSeconds(30);

    /** How a state is locked: its configuration's {@code dynamodb_table}, {@code use_lockfile}, or both. */
    enum Locking { LOCK_TABLE, LOCK_FILE, BOTH }

    /** One state the team works on. */
    final class State {
        final String key;
        final String path;
        final Locking locking;
        final boolean workspace;
        long serial;
        String lineage;
        final Map<Long, String> bodies = new HashMap<>();
        String digest;
        LockInfo held;
        boolean busy;
        boolean deleted;

        State(String key, Locking locking) {
            this.key = key;
            this.path = backend.lockPath(key);
            this.locking = locking;
            this.workspace = key.startsWith("env:/");
        }

        boolean table() {
            return locking != Locking.LOCK_FILE;
        }

        boolean file() {
            return locking != Locking.LOCK_TABLE;
        }

        @Override
        public String toString() {
            return key + " (" + locking.name().toLowerCase().replace('_', ' ') + ")";
        }
    }

    /** Runs an action at a time on the day's clock. */
    interface Agenda {
        void at(Instant at, Runnable action);
    }

    private final TerraformS3Backend backend;
    private final S3Client s3;
    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    private final DayClock clock;
    private final Random random;
    private final ObjectTimes times;
    private final EventSources sources;
    private final Expectations expected;
    private final Agenda agenda;
    private final List<State> states = new ArrayList<>();
    private String streamedTo;
    private long sequencer = 0x62E99A88DC4000L;

    Team(TerraformS3Backend backend, DynamoDbStreamsClient streams, String streamArn, DayClock clock, Random random,
         ObjectTimes times, EventSources sources, Expectations expected, Agenda agenda) {
        this.backend = backend;
        this.s3 = backend.s3;
        this.dynamoDb = backend.dynamoDb;
        this.streams = streams;
        this.streamArn = streamArn;
        this.clock = clock;
        this.random = random;
        this.times = times;
        this.sources = sources;
        this.expected = expected;
        this.agenda = agenda;
    }

    State state(String key, Locking locking) {
        State state = new State(key, locking);
        states.add(state);
        return state;
    }

    List<State> states() {
        return states;
    }

    // ---- Runs: each a few steps seconds apart, the state busy until the last.

    /** {@code terraform apply}: lock, one to three state writes (each with its digest), unlock. */
    void apply(State state, String who) {
        Run run = new Run(state);
        run.then(0, () -> lock(state, "OperationTypeApply", who));
        int writes = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
        for (int i = 0; i < writes; i++) {
            run.then(i == 0 ? 5 + random.nextInt(40) : 20, () -> write(state, nextState(state)));
        }
        run.then(2 + random.nextInt(8), () -> unlock(state)).end();
    }

    /** {@code terraform plan}: lock, unlock. */
    void plan(State state, String who) {
        new Run(state).then(0, () -> lock(state, "OperationTypePlan", who))
                .then(10 + random.nextInt(80), () -> unlock(state)).end();
    }

    /** {@code terraform apply -lock=false}: the state (and its digest) written with no lock: an unlocked write. */
    void unlockedApply(State state) {
        new Run(state).then(0, () -> {
            write(state, nextState(state));
            expected.alert(state.path, AlertType.UNLOCKED_WRITE, Long.toString(state.serial));
        }).end();
    }

    /**
     * {@code terraform state push -force} of an older state of the same lineage (the rollback Terraform allows): lock
     * ({@code state-push}), the older serial written with its digest, unlock: a serial regression.
     */
    void rollback(State state, String who) {
        long older = 1 + random.nextInt((int) state.serial - 1);
        new Run(state).then(0, () -> lock(state, "state-push", who))
                .then(3 + random.nextInt(10), () -> {
                    state.serial = older;
                    write(state, state.bodies.get(older));
                    expected.alert(state.path, AlertType.SERIAL_REGRESSION, Long.toString(older));
                })
                .then(1 + random.nextInt(3), () -> unlock(state)).end();
    }

    /**
     * A CI job killed during its apply: lock, a state write, and no unlock. The lock stays until someone, paged by
     * the stale lock alert, runs {@code force-unlock} ({@link #forceUnlock}); the state stays busy until then.
     */
    void killedJob(State state, String who) {
        state.busy = true;
        Run run = new Run(state);
        run.then(0, () -> {
            lock(state, "OperationTypeApply", who);
            expected.alert(state.path, AlertType.STALE_LOCK, state.held.id());
        });
        run.then(5 + random.nextInt(30), () -> write(state, nextState(state)));
    }

    /** {@code terraform force-unlock LOCK_ID}: an ordinary release; the stale lock's alert is cleared. */
    void forceUnlock(State state) {
        String lockId = state.held.id();
        unlock(state);
        expected.alert(state.path, AlertType.STALE_LOCK_CLEARED, lockId);
        agenda.at(clock.instant().plus(PAUSE), () -> state.busy = false);
    }

    /** A teammate's plan while the killed job's lock is held: the lock is refused, and nothing is written. */
    void blockedPlan(State state, String who) {
        LockInfo info = lockInfo(state, "OperationTypePlan", who);
        if (state.file()) {
            try {
                s3.putObject(b -> b.bucket(backend.bucket).key(state.key + ".tflock").contentType("application/json")
                        .ifNoneMatch("*"), RequestBody.fromString(info.toJson(), StandardCharsets.UTF_8));
                throw new IllegalStateException("the lock file of " + state + " was free");
            } catch (S3Exception held) {
                if (held.statusCode() != 412) {
                    throw held;
                }
            }
        } else {
            try {
                putLockItem(info);
                throw new IllegalStateException("the lock item of " + state + " was free");
            } catch (ConditionalCheckFailedException held) {
                // Error acquiring the state lock
            }
        }
    }

    /**
     * {@code terraform workspace delete}: the state locked ({@code state-replace-provider}) and released, then its
     * object deleted and its digest item removed: one workspace-deleted notice. The state is gone for the rest of the
     * day.
     */
    void workspaceDelete(State state, String who) {
        new Run(state).then(0, () -> lock(state, "state-replace-provider", who))
                .then(1 + random.nextInt(3), () -> unlock(state))
                .then(1, () -> {
                    delete(state);
                    expected.alert(state.path, AlertType.WORKSPACE_DELETED, "");
                    state.deleted = true;
                }).end();
    }

    /** A run's steps, each some seconds after the one before; the state is busy until the last. */
    private final class Run {
        private final State state;
        private Instant at;

        Run(State state) {
            this.state = state;
            this.at = clock.instant();
            state.busy = true;
        }

        Run then(int seconds, Runnable action) {
            at = at.plusSeconds(seconds);
            agenda.at(at, action);
            return this;
        }

        /** The state is free again a little after the run: nobody runs Terraform on it within seconds of a run. */
        void end() {
            agenda.at(at.plus(PAUSE), () -> state.busy = false);
        }
    }

    // ---- What Terraform's S3 backend writes.

    private void lock(State state, String operation, String who) {
        LockInfo info = lockInfo(state, operation, who);
        if (state.file()) {
            PutObjectResponse put = s3.putObject(b -> b.bucket(backend.bucket).key(state.key + ".tflock")
                    .contentType("application/json").ifNoneMatch("*"), RequestBody.fromString(info.toJson(),
                    StandardCharsets.UTF_8));
            objectCreated(state.key + ".tflock", put.eTag(), put.versionId(), info.toJson().length());
            expected.entry(state.path, EventType.LOCK_ACQUIRED.name(), info.id() + "/s3");
        }
        if (state.table()) {
            putLockItem(info);
            streamChanged();
            expected.entry(state.path, EventType.LOCK_ACQUIRED.name(), info.id() + "/dynamodb");
        }
        state.held = info;
    }

    private LockInfo lockInfo(State state, String operation, String who) {
        return new LockInfo(hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12), operation, "", who,
                VERSION, clock.instant().toString(), state.path);
    }

    private void putLockItem(LockInfo info) {
        dynamoDb.putItem(b -> b.tableName(backend.lockTable)
                .item(Map.of("LockID", AttributeValue.fromS(info.path()), "Info", AttributeValue.fromS(info.toJson())))
                .conditionExpression("attribute_not_exists(LockID)"));
    }

    private void unlock(State state) {
        LockInfo info = state.held;
        if (state.table()) {
            Map<String, AttributeValue> key = Map.of("LockID", AttributeValue.fromS(state.path));
            String held = dynamoDb.getItem(b -> b.tableName(backend.lockTable).key(key).consistentRead(true)).item()
                    .get("Info").s();
            if (!held.contains(info.id())) {
                throw new IllegalStateException("lock id mismatch on " + state);
            }
            dynamoDb.deleteItem(b -> b.tableName(backend.lockTable).key(key));
            streamChanged();
            expected.entry(state.path, EventType.LOCK_RELEASED.name(), info.id() + "/dynamodb");
        }
        if (state.file()) {
            DeleteObjectResponse deleted = s3.deleteObject(b -> b.bucket(backend.bucket).key(state.key + ".tflock"));
            objectDeleted(state.key + ".tflock", deleted.versionId());
            expected.entry(state.path, EventType.LOCK_RELEASED.name(), info.id() + "/s3");
        }
        state.held = null;
    }

    /** The state uploaded, then (with a lock table) its digest put: what every write of Terraform's does. */
    private void write(State state, String body) {
        PutObjectResponse put = s3.putObject(b -> b.bucket(backend.bucket).key(state.key)
                .contentType("application/json"), RequestBody.fromString(body, StandardCharsets.UTF_8));
        objectCreated(state.key, put.eTag(), put.versionId(), body.getBytes(StandardCharsets.UTF_8).length);
        expected.entry(state.path, EventType.STATE_WRITTEN.name(), state.serial + "/" + state.lineage);
        if (state.table()) {
            String md5 = TerraformS3Backend.md5(body);
            backend.putDigest(state.key, md5);
            streamChanged();
            if (!md5.equals(state.digest)) {
                expected.entry(state.path, EventType.DIGEST_UPDATED.name(), md5);
            }
            state.digest = md5;
        }
    }

    private void delete(State state) {
        DeleteObjectResponse deleted = s3.deleteObject(b -> b.bucket(backend.bucket).key(state.key));
        objectDeleted(state.key, deleted.versionId());
        expected.entry(state.path, EventType.STATE_DELETED.name(), "");
        if (state.table() && state.digest != null) {
            dynamoDb.deleteItem(b -> b.tableName(backend.lockTable)
                    .key(Map.of("LockID", AttributeValue.fromS(state.path + "-md5"))));
            streamChanged();
            expected.entry(state.path, EventType.DIGEST_REMOVED.name(), state.digest);
            state.digest = null;
        }
    }

    /** The next state an apply writes: serial + 1 of the lineage (a new lineage for the first). */
    private String nextState(State state) {
        if (state.lineage == null) {
            state.lineage = hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
            state.serial = 0;
            state.bodies.clear();
        }
        state.serial++;
        String body = "{\n  \"version\": 4,\n  \"terraform_version\": \"" + VERSION + "\",\n  \"serial\": "
                + state.serial + ",\n  \"lineage\": \"" + state.lineage + "\",\n  \"outputs\": {\n    \"revision\": {\n"
                + "      \"value\": \"" + hex(8 + random.nextInt(24)) + "\",\n      \"type\": \"string\"\n    }\n  },\n"
                + "  \"resources\": [],\n  \"check_results\": null\n}\n";
        state.bodies.put(state.serial, body);
        return body;
    }

    // ---- What AWS reports of it.

    /** The records the lock table's stream holds since the last look, handed on with the time of their change. */
    private void streamChanged() {
        String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().get(0).shardId();
        String from = streamedTo;
        String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                .shardIteratorType(from == null ? ShardIteratorType.TRIM_HORIZON : ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                .sequenceNumber(from)).shardIterator();
        List<Record> records = streams.getRecords(b -> b.shardIterator(iterator)).records();
        if (!records.isEmpty()) {
            streamedTo = records.get(records.size() - 1).dynamodb().sequenceNumber();
            sources.streamed(records, clock.instant().truncatedTo(ChronoUnit.SECONDS));
        }
    }

    private void objectCreated(String key, String etag, String versionId, long size) {
        times.written(key, versionId, clock.instant(), false);
        ObjectNode event = event("Object Created", key, versionId, "PutObject");
        ((ObjectNode) event.get("detail").get("object")).put("size", size).put("etag", etag.replace("\"", ""));
        sources.bucketEvent(event.toString());
    }

    private void objectDeleted(String key, String versionId) {
        times.written(key, versionId, clock.instant(), true);
        ObjectNode event = event("Object Deleted", key, versionId, "DeleteObject");
        ((ObjectNode) event.get("detail").get("object")).put("etag", "d41d8cd98f00b204e9800998ecf8427e");
        ((ObjectNode) event.get("detail")).put("deletion-type", versionId == null ? "Permanently Deleted"
                : "Delete Marker Created");
        sources.bucketEvent(event.toString());
    }

    /** An EventBridge event of the bucket, as the S3 User Guide's "EventBridge event message structure" gives it. */
    private ObjectNode event(String detailType, String key, String versionId, String reason) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0").put("id", hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12))
                .put("detail-type", detailType).put("source", "aws.s3").put("account", ACCOUNT)
                .put("time", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()).put("region", "us-east-1");
        event.putArray("resources").add("arn:aws:s3:::" + backend.bucket);
        ObjectNode detail = event.putObject("detail");
        detail.put("version", "0");
        detail.putObject("bucket").put("name", backend.bucket);
        ObjectNode object = detail.putObject("object").put("key", key);
        if (versionId != null) {
            object.put("version-id", versionId);
        }
        object.put("sequencer", String.format("%018X", ++sequencer));
        detail.put("request-id", hex(16).toUpperCase()).put("requester", ACCOUNT)
                .put("source-ip-address", "203.0.113.15").put("reason", reason);
        return event;
    }

    private String hex(int digits) {
        StringBuilder hex = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            hex.append(Character.forDigit(random.nextInt(16), 16));
        }
        return hex.toString();
    }
}

package dev.lockauditor.api;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.aws.DynamoDbLockTable;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.backend.LockFiles;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A lock held on purpose, acknowledged: the sweep sends no stale-lock alert for that lock ID while the acknowledgement
 * lasts. Reads the backend, writes only the auditor's own history table.
 */
public record LockAcknowledgements(AwsClients aws, Config config) {

    /** The lock held now on a state: its lock table item when {@code lockTable} is named and has one, else its lock file. */
    public Optional<LockInfo> held(String lockTable, String bucket, StatePath state) {
        Optional<LockInfo> lock = lockTable.isBlank() ? Optional.empty()
                : new DynamoDbLockTable(aws.dynamoDb(), lockTable, config.watched().workspaceKeyPrefix()).lock(state.path());
        return lock.isPresent() ? lock
                : LockFiles.held(new S3StateBucket(aws.s3(), bucket), state, StateKeys.lockFileKey(state.key()));
    }

    /**
     * Records that {@code by} acknowledged {@code lock} at {@code now} for {@code reason}, until {@code until} (null:
     * until it is released).
     */
    public HistoryEvent acknowledge(String historyTable, StatePath state, LockInfo lock, String by, String reason,
                                    Instant now, Instant until) throws HistoryStore.WriteFailure {
        HistoryEvent ack = new HistoryEvent(state, now, Source.LOCK, "ack", lock.id(), "ack-" + now.toEpochMilli(),
                new Facts.LockAcknowledged(lock.id(), by, reason, until));
        new DynamoDbHistoryStore(aws.dynamoDb(), historyTable, Duration.ofDays(config.kept().historyRetentionDays()))
                .write(List.of(ack));
        return ack;
    }
}

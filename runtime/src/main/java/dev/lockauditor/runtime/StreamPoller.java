package dev.lockauditor.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads a DynamoDB stream the way Lambda's event source mapping does: every shard, a parent shard before
 * its children, records of one shard in order, a batch at a time; a shard's position moves past a batch
 * only when the batch succeeded, and a batch item failure makes it read again from the failed record.
 */
public final class StreamPoller {

    /** Handles one batch; returns the sequence number to retry from, or null when the whole batch succeeded. */
    public interface BatchHandler {
        String handle(List<Record> records);
    }

    private static final int BATCH_SIZE = 100;

    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    private final BatchHandler handler;
    private final Map<String, ShardState> shards = new LinkedHashMap<>();

    private static final class ShardState {
        final String parentId;
        String iterator;
        String checkpoint;
        boolean finished;

        ShardState(String parentId) {
            this.parentId = parentId;
        }
    }

    public StreamPoller(DynamoDbStreamsClient streams, String streamArn, BatchHandler handler) {
        this.streams = streams;
        this.streamArn = streamArn;
        this.handler = handler;
    }

    /** Starts every open shard at its latest record: what happens from now on is read. Returns the shard count. */
    public int attach() {
        for (Shard shard : describeShards()) {
            ShardState state = new ShardState(shard.parentShardId());
            if (shard.sequenceNumberRange().endingSequenceNumber() == null) {
                state.iterator = iterator(shard.shardId(), ShardIteratorType.LATEST, null);
            } else {
                state.finished = true;
            }
            shards.put(shard.shardId(), state);
        }
        return shards.size();
    }

    /** Finds shards created since the last look; they are read from their first record. */
    public void discoverShards() {
        for (Shard shard : describeShards()) {
            shards.computeIfAbsent(shard.shardId(), id -> new ShardState(shard.parentShardId()));
        }
    }

    /** One read of every shard that can be read now; returns how many records were handled. */
    public int pollOnce() {
        int handled = 0;
        for (Map.Entry<String, ShardState> entry : shards.entrySet()) {
            String shardId = entry.getKey();
            ShardState state = entry.getValue();
            if (state.finished || !parentFinished(state)) {
                continue;
            }
            if (state.iterator == null) {
                state.iterator = state.checkpoint == null
                        ? iterator(shardId, ShardIteratorType.TRIM_HORIZON, null)
                        : iterator(shardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, state.checkpoint);
            }
            GetRecordsResponse response;
            try {
                String current = state.iterator;
                response = streams.getRecords(b -> b.shardIterator(current).limit(BATCH_SIZE));
            } catch (ExpiredIteratorException e) {
                state.iterator = null;
                continue;
            }
            List<Record> records = response.records();
            if (!records.isEmpty()) {
                handled += records.size();
                String retryFrom = handler.handle(records);
                if (retryFrom != null) {
                    state.iterator = iterator(shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, retryFrom);
                    continue;
                }
                state.checkpoint = records.get(records.size() - 1).dynamodb().sequenceNumber();
            }
            state.iterator = response.nextShardIterator();
            if (state.iterator == null) {
                state.finished = true;
            }
        }
        return handled;
    }

    private boolean parentFinished(ShardState state) {
        ShardState parent = state.parentId == null ? null : shards.get(state.parentId);
        return parent == null || parent.finished;
    }

    private String iterator(String shardId, ShardIteratorType type, String sequenceNumber) {
        return streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId)
                .shardIteratorType(type).sequenceNumber(sequenceNumber)).shardIterator();
    }

    private List<Shard> describeShards() {
        List<Shard> all = new ArrayList<>();
        String start = null;
        do {
            String exclusiveStart = start;
            StreamDescription description = streams.describeStream(b -> b.streamArn(streamArn)
                    .exclusiveStartShardId(exclusiveStart)).streamDescription();
            all.addAll(description.shards());
            start = description.lastEvaluatedShardId();
        } while (start != null);
        return all;
    }
}

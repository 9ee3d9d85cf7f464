package dev.lockauditor.aws;

import dev.lockauditor.backend.LockStream;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The lock table's stream through DynamoDB Streams (DescribeStream, GetShardIterator, GetRecords): read only, as a
 * second reader beside the event source mapping, and only when a decision needs it. A shard that ended before the
 * given position is not read; the shard holding the position is read from just after it; any other from its start.
 */
public record DynamoDbLockStream(Supplier<DynamoDbStreamsClient> streams, String streamArn) implements LockStream {

    private static final int PAGES_PER_SHARD = 10;

    @Override
    public Optional<Boolean> holdsChangesAfter(String sequenceNumber) {
        BigInteger after = new BigInteger(sequenceNumber);
        List<Shard> shards = streams.get().describeStream(b -> b.streamArn(streamArn)).streamDescription().shards();
        for (Shard shard : shards) {
            SequenceNumberRange range = shard.sequenceNumberRange();
            if (range.endingSequenceNumber() != null && new BigInteger(range.endingSequenceNumber()).compareTo(after) <= 0) {
                continue;
            }
            if (newerRecord(shard, range, after)) {
                return Optional.of(true);
            }
        }
        return Optional.of(false);
    }

    private boolean newerRecord(Shard shard, SequenceNumberRange range, BigInteger after) {
        boolean holdsPosition = new BigInteger(range.startingSequenceNumber()).compareTo(after) <= 0;
        String iterator;
        try {
            iterator = holdsPosition
                    ? iterator(shard, ShardIteratorType.AFTER_SEQUENCE_NUMBER, after.toString())
                    : iterator(shard, ShardIteratorType.TRIM_HORIZON, null);
        } catch (software.amazon.awssdk.services.dynamodb.model.DynamoDbException notInThisShard) {
            iterator = iterator(shard, ShardIteratorType.TRIM_HORIZON, null);
        }
        for (int page = 0; page < PAGES_PER_SHARD && iterator != null; page++) {
            String current = iterator;
            GetRecordsResponse response = streams.get().getRecords(b -> b.shardIterator(current).limit(1000));
            for (Record record : response.records()) {
                if (new BigInteger(record.dynamodb().sequenceNumber()).compareTo(after) > 0) {
                    return true;
                }
            }
            if (response.records().isEmpty()) {
                return false;
            }
            iterator = response.nextShardIterator();
        }
        return false;
    }

    private String iterator(Shard shard, ShardIteratorType type, String sequenceNumber) {
        return streams.get().getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                .shardIteratorType(type).sequenceNumber(sequenceNumber)).shardIterator();
    }
}

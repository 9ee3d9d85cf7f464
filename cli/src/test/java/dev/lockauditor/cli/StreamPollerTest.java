package dev.lockauditor.cli;

import dev.lockauditor.runtime.StreamPoller;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** The poller's reading order and checkpoints, over a stream held in memory. */
class StreamPollerTest {

    /** A stream of shards, each a list of sequence numbers; an iterator is "shard:index". */
    static final class FakeStream implements DynamoDbStreamsClient {
        final Map<String, List<String>> records = new LinkedHashMap<>();
        final Map<String, String> parents = new LinkedHashMap<>();
        final Map<String, Boolean> closed = new LinkedHashMap<>();

        void shard(String id, String parent, boolean isClosed, String... sequences) {
            records.put(id, new ArrayList<>(List.of(sequences)));
            parents.put(id, parent);
            closed.put(id, isClosed);
        }

        @Override
        public DescribeStreamResponse describeStream(DescribeStreamRequest request) {
            List<Shard> shards = records.keySet().stream().map(id -> Shard.builder().shardId(id).parentShardId(parents.get(id))
                    .sequenceNumberRange(r -> r.startingSequenceNumber("0")
                            .endingSequenceNumber(closed.get(id) ? "999" : null)).build()).toList();
            return DescribeStreamResponse.builder().streamDescription(d -> d.shards(shards)).build();
        }

        @Override
        public DescribeStreamResponse describeStream(Consumer<DescribeStreamRequest.Builder> request) {
            return describeStream(DescribeStreamRequest.builder().applyMutation(request).build());
        }

        @Override
        public GetShardIteratorResponse getShardIterator(Consumer<GetShardIteratorRequest.Builder> builder) {
            GetShardIteratorRequest request = GetShardIteratorRequest.builder().applyMutation(builder).build();
            List<String> shard = records.get(request.shardId());
            int index = switch (request.shardIteratorType()) {
                case TRIM_HORIZON -> 0;
                case LATEST -> shard.size();
                case AT_SEQUENCE_NUMBER -> shard.indexOf(request.sequenceNumber());
                case AFTER_SEQUENCE_NUMBER -> shard.indexOf(request.sequenceNumber()) + 1;
                default -> throw new IllegalArgumentException();
            };
            return GetShardIteratorResponse.builder().shardIterator(request.shardId() + ":" + index).build();
        }

        @Override
        public GetRecordsResponse getRecords(Consumer<GetRecordsRequest.Builder> builder) {
            GetRecordsRequest request = GetRecordsRequest.builder().applyMutation(builder).build();
            String shardId = request.shardIterator().substring(0, request.shardIterator().indexOf(':'));
            int index = Integer.parseInt(request.shardIterator().substring(shardId.length() + 1));
            List<String> shard = records.get(shardId);
            int end = Math.min(shard.size(), index + request.limit());
            List<Record> batch = shard.subList(index, end).stream()
                    .map(seq -> Record.builder().dynamodb(d -> d.sequenceNumber(seq)).build()).toList();
            boolean done = closed.get(shardId) && end == shard.size();
            return GetRecordsResponse.builder().records(batch).nextShardIterator(done ? null : shardId + ":" + end).build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    final FakeStream stream = new FakeStream();
    final List<String> handled = new ArrayList<>();

    StreamPoller poller(StreamPoller.BatchHandler handler) {
        return new StreamPoller(stream, "arn:stream", handler);
    }

    StreamPoller.BatchHandler recording() {
        return records -> {
            records.forEach(r -> handled.add(r.dynamodb().sequenceNumber()));
            return null;
        };
    }

    @Test
    void readsOnlyWhatIsWrittenAfterItAttaches() {
        stream.shard("s1", null, false, "1", "2");
        StreamPoller poller = poller(recording());

        assertEquals(1, poller.attach());
        stream.records.get("s1").addAll(List.of("3", "4"));
        poller.pollOnce();

        assertEquals(List.of("3", "4"), handled);
    }

    @Test
    void readsAChildShardOnlyAfterItsParentIsFinished() {
        stream.shard("parent", null, false, "1");
        StreamPoller poller = poller(recording());
        poller.attach();
        stream.records.get("parent").add("2");
        stream.closed.put("parent", true);
        stream.shard("child", "parent", false, "3", "4");
        poller.discoverShards();

        poller.pollOnce();
        poller.pollOnce();

        assertEquals(List.of("2", "3", "4"), handled);
    }

    @Test
    void aBatchItemFailureIsReadAgainFromTheFailedRecordAndNothingBeforeIt() {
        stream.shard("s1", null, false);
        List<List<String>> batches = new ArrayList<>();
        StreamPoller poller = poller(records -> {
            List<String> batch = records.stream().map(r -> r.dynamodb().sequenceNumber()).toList();
            batches.add(batch);
            return batches.size() == 1 ? "12" : null;
        });
        poller.attach();
        stream.records.get("s1").addAll(List.of("11", "12", "13"));

        poller.pollOnce();
        poller.pollOnce();
        stream.records.get("s1").add("14");
        poller.pollOnce();

        assertEquals(List.of(List.of("11", "12", "13"), List.of("12", "13"), List.of("14")), batches);
    }

    @Test
    void shardsClosedBeforeItAttachesAreNotRead() {
        stream.shard("old", null, true, "1", "2");
        stream.shard("open", "old", false, "3");
        StreamPoller poller = poller(recording());
        poller.attach();
        stream.records.get("open").add("4");

        poller.pollOnce();

        assertEquals(List.of("4"), handled);
    }
}

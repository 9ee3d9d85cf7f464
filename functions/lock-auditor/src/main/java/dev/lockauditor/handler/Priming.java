package dev.lockauditor.handler;

import dev.lockauditor.config.Environments;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import dev.lockauditor.alert.AlertPublisher;
import dev.lockauditor.alert.OnceAlerts;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.PrimingTransport;
import dev.lockauditor.backend.LockStream;
import dev.lockauditor.history.Bookkeeping;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.InMemoryBookkeeping;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.metrics.Metrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Optional;
import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.audit.Rechecks;
import dev.lockauditor.alert.InMemoryAlertClaims;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What SnapStart priming runs through the handlers: a backend held in memory, so nothing is written or sent. */
final class Priming {

    static final LambdaLogger LOGGER = new LambdaLogger() {
        @Override
        public void log(String message) {
        }

        @Override
        public void log(byte[] message) {
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = PrimingBackend.PATH;
    private static final String INFO = "{\"ID\":\"00000000-0000-0000-0000-000000000000\","
            + "\"Operation\":\"OperationTypeApply\",\"Info\":\"\",\"Who\":\"priming@snapstart\","
            + "\"Version\":\"1.11.2\",\"Created\":\"2025-03-14T09:26:53.589793238Z\",\"Path\":\"" + PATH + "\"}";

    private Priming() {
    }

    /**
     * Drives every AWS request the function's own adapters make (history reads and writes, lock table reads, object
     * reads and listings, an alert raised once and published) through the real clients, with each request answered
     * inside the process by {@link PrimingTransport}: the SDK's classes are loaded and its paths compiled before the
     * snapshot, and nothing reaches the backend, the history table or the alert topic. Metrics are not touched.
     */
    static void sdk(Components real) {
        StatePath state = new StatePath(PATH, PrimingBackend.BUCKET, PrimingBackend.KEY, "priming");
        PrimingTransport.offline(() -> {
            attempt(() -> real.history().read(HistoryQuery.of(PATH).kinds(EventType.STATE_WRITTEN).newestFirst().limit(1)));
            attempt(() -> {
                real.history().write(List.of(new HistoryEvent(state, Instant.now(), Source.LOCK, "priming", "1", "0",
                        new Facts.DigestUpdated("ad37533d627aecda1ac35c00e2ee3a7f", null))));
                return null;
            });
            Components.Backend backend = real.backend();
            attempt(() -> backend.locks().lock(PATH));
            attempt(() -> backend.locks().digest(PATH));
            attempt(() -> backend.locks().scan());
            attempt(() -> backend.bucket().head(PrimingBackend.KEY));
            attempt(() -> backend.bucket().prefix(PrimingBackend.KEY, null, 1024));
            attempt(() -> backend.bucket().md5(PrimingBackend.KEY, null));
            attempt(() -> backend.bucket().keysEndingWith(".tflock"));
            attempt(() -> backend.bucket().page(null));
            attempt(() -> backend.lockStream().holdsChangesAfter("1"));
            attempt(() -> real.bookkeeping().lockStreamRecorded());
            attempt(() -> {
                real.bookkeeping().lockStreamRecordedTo(new Bookkeeping.StreamPosition(Instant.EPOCH, "1"));
                return null;
            });
            attempt(() -> real.bookkeeping().heldLocks());
            attempt(() -> real.bookkeeping().called("s3#priming"));
            attempt(() -> real.bookkeeping().calledBetween("dynamodb#priming#", "dynamodb#priming#~"));
            attempt(() -> {
                real.history().replace(new HistoryEvent(state, Instant.now(), Source.LOCK, "priming", "1", "0",
                        new Facts.DigestUpdated("ad37533d627aecda1ac35c00e2ee3a7f", null)));
                return null;
            });
            attempt(() -> real.bookkeeping().listing());
            // Raised once through the real claims and topic, but not counted: metrics are not touched.
            attempt(() -> new AlertRaiser(new Alerts(""), new OnceAlerts(real.stores().claims(), real.publisher(),
                    Clock.systemUTC()), Clock.systemUTC()).orphanedDigest(Optional.empty(), DIGEST,
                    new Alerts("").orphanedDigest(state, DIGEST)));
            attempt(() -> {
                real.rechecks().later("{}", Instant.now(), 1);
                return null;
            });
        });
    }

    private static final String DIGEST = "ad37533d627aecda1ac35c00e2ee3a7f";

    /**
     * The runtime's own deserialization of a function's event, and serialization of its answer, run once on a sample:
     * Lambda's runtime interface client turns each event into its type with this serializer, so priming it keeps its
     * classes' loading and first compilation out of the first invocation. Where the runtime's serializer is not on the
     * class path (a handler run in this process), there is nothing to prime.
     */
    static boolean runtimeSerialization(Class<?> event, String sample, Object answer) {
        try {
            ClassLoader loader = Priming.class.getClassLoader();
            LambdaEventSerializers.serializerFor(event, loader).fromJson(sample);
            if (answer != null) {
                @SuppressWarnings("unchecked")
                PojoSerializer<Object> out = (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(
                        answer.getClass(), loader);
                out.toJson(answer, OutputStream.nullOutputStream());
            }
            return true;
        } catch (LinkageError | RuntimeException e) {
            // not the runtime's class path, or a sample it reads otherwise: the first invocation takes the cost
            return false;
        }
    }

    /** The Slack secret's request path, answered locally: the URL is fetched for real on first use. */
    static void secret(AwsClients aws, String secretArn) {
        PrimingTransport.offline(() -> attempt(() -> aws.secretsManager().getSecretValue(b -> b.secretId(secretArn))));
    }

    /** A request path to drive; it may return what it read. */
    private interface Call {
        Object call() throws Exception;
    }

    /** Priming is best effort: a request path it cannot drive is left to the first invocation. */
    private static void attempt(Call request) {
        try {
            request.call();
        } catch (Exception e) {
            // not primed; the first real request takes the cost
        }
    }

    /** The handlers' collaborators over an empty backend in memory, and no alert leaves. */
    static Components components() {
        Config config = Config.from(Map.of("STATE_BUCKET", PrimingBackend.BUCKET, "LOCK_TABLE", "priming-locks",
                "DIGEST_GRACE_SECONDS", "0", "LOCK_EVENT_LAG_SECONDS", "0"));
        PrimingBackend backend = new PrimingBackend();
        InMemoryHistoryStore history = new InMemoryHistoryStore();
        AlertPublisher nowhere = alert -> { };
        return new Components(config, new Components.Backend(backend, backend, LockStream.UNKNOWN),
                new Components.Stores(history, new InMemoryBookkeeping(), new InMemoryAlertClaims(history)), nowhere,
                new Metrics(new PrintStream(OutputStream.nullOutputStream()), Environments.only("priming"),
                        Clock.systemUTC()), Clock.systemUTC(), (document, at, attempt) -> { });
    }

    static List<DynamodbStreamRecord> records() {
        Map<String, AttributeValue> lock = Map.of(
                "LockID", new AttributeValue().withS(PATH), "Info", new AttributeValue().withS(INFO));
        Map<String, AttributeValue> digest = Map.of(
                "LockID", new AttributeValue().withS(PATH + "-md5"),
                "Digest", new AttributeValue().withS(new PrimingBackend().digestValue()));
        return List.of(record("INSERT", "1", null, lock), record("INSERT", "2", null, digest),
                record("REMOVE", "3", lock, null), record("INSERT", "4", null,
                        Map.of("LockID", new AttributeValue().withN("1"))));
    }

    private static DynamodbStreamRecord record(String name, String sequence, Map<String, AttributeValue> oldImage,
                                               Map<String, AttributeValue> newImage) {
        StreamRecord stream = new StreamRecord()
                .withApproximateCreationDateTime(new Date(1_741_944_413_000L))
                .withSequenceNumber(sequence)
                .withOldImage(oldImage)
                .withNewImage(newImage);
        DynamodbStreamRecord record = new DynamodbStreamRecord();
        record.setEventID("priming-" + sequence);
        record.setEventName(name);
        record.setDynamodb(stream);
        return record;
    }

    /** An EventBridge "Object Created" event for a state in the priming bucket. */
    static JsonNode objectEvent() {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "0")
                .put("id", "priming")
                .put("detail-type", "Object Created")
                .put("source", "aws.s3")
                .put("time", Instant.now().toString());
        ObjectNode detail = event.putObject("detail");
        detail.putObject("bucket").put("name", PrimingBackend.BUCKET);
        detail.putObject("object").put("key", PrimingBackend.KEY).put("size", 1024)
                .put("etag", new PrimingBackend().digestValue()).put("sequencer", "0062E99A88DC407460");
        detail.put("requester", "123456789012").put("source-ip-address", "192.0.2.1").put("reason", "PutObject");
        return event;
    }

    /** {@link #objectEvent()} as the state events queue delivers it. */
    static SQSEvent.SQSMessage objectMessage() {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId("priming");
        message.setEventSource("aws:sqs");
        message.setBody(objectEvent().toString());
        return message;
    }

    /** {@link #objectMessage()} as Lambda's SQS event JSON. */
    static String sqsEvent() {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject().put("messageId", "priming")
                .put("receiptHandle", "priming").put("body", objectEvent().toString());
        record.putObject("attributes").put("ApproximateReceiveCount", "1").put("SentTimestamp", "1741944413000");
        record.putObject("messageAttributes").putObject(Rechecks.ATTEMPT_ATTRIBUTE).put("stringValue", "1")
                .put("dataType", "Number");
        record.put("md5OfBody", "0").put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:priming").put("awsRegion", "us-east-1");
        return event.toString();
    }

    /** A lock table stream record, as Lambda's DynamoDB event JSON (the shape of events/lock-acquired.json). */
    static String dynamoDbEvent() {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject().put("eventID", "priming").put("eventName", "INSERT")
                .put("eventVersion", "1.1").put("eventSource", "aws:dynamodb").put("awsRegion", "us-east-1")
                .put("eventSourceARN", "arn:aws:dynamodb:us-east-1:123456789012:table/priming/stream/2025");
        ObjectNode stream = record.putObject("dynamodb").put("ApproximateCreationDateTime", 1741944414)
                .put("SequenceNumber", "1").put("SizeBytes", 100).put("StreamViewType", "NEW_AND_OLD_IMAGES");
        stream.putObject("Keys").putObject("LockID").put("S", PATH);
        ObjectNode image = stream.putObject("NewImage");
        image.putObject("LockID").put("S", PATH);
        image.putObject("Info").put("S", INFO);
        return event.toString();
    }

    /** An alert as Lambda's SNS event JSON (the shape of events/sns-alert.json). */
    static String snsEvent() {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject().put("EventSource", "aws:sns")
                .put("EventVersion", "1.0").put("EventSubscriptionArn", "arn:aws:sns:us-east-1:123456789012:priming:1");
        record.putObject("Sns").put("Type", "Notification").put("MessageId", "priming")
                .put("TopicArn", "arn:aws:sns:us-east-1:123456789012:priming").put("Subject", "priming")
                .put("Message", alertDocument()).put("Timestamp", "2025-03-14T09:26:53.000Z")
                .put("SignatureVersion", "1").put("Signature", "priming").put("SigningCertUrl", "https://sns.invalid/")
                .put("UnsubscribeUrl", "https://sns.invalid/").putObject("MessageAttributes");
        return event.toString();
    }

    /** EventBridge Scheduler's default payload for a Lambda target: {@code detail} is a string. */
    static byte[] scheduleEvent() {
        return ("{\"version\":\"0\",\"id\":\"priming\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.scheduler\","
                + "\"account\":\"123456789012\",\"time\":\"2025-03-14T11:30:00Z\",\"region\":\"us-east-1\","
                + "\"resources\":[],\"detail\":\"{}\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An alert document, as the alert topic delivers it. */
    static String alertDocument() {
        StatePath state = new StatePath(PATH, "priming-bucket", "env:/priming/terraform.tfstate", "priming");
        List<Alert> raised = new ArrayList<>();
        new AlertRaiser(new Alerts(""), alert -> raised.add(alert), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
                .orphanedDigest(Optional.empty(), DIGEST, new Alerts("").orphanedDigest(state, DIGEST));
        return AlertDocument.of(raised.get(0), AlertDocument.Origin.of("priming", "", "us-east-1", "")).toString();
    }
}

package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.audit.Rechecks;
import dev.lockauditor.history.HistoryStore;
import java.util.List;

/**
 * {@code StateEventsFunction}: the state events queue (SQS), one message at a time, each a document of the state
 * bucket's object events or a CloudTrail record ({@link StateDocuments}). A fault a retry can fix reports its message
 * as a batch item failure ({@link BatchItems}). Nothing waits: a check that cannot be decided yet (a lock's events may
 * still come, a digest may still follow) brings its message back through the queue when it can be decided, and
 * handling it again records nothing new and alerts nobody twice.
 */
public class StateEventsHandler extends SnapStartHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StateDocuments documents;
    private final Rechecks rechecks;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public StateEventsHandler() {
        this(fromEnvironment());
    }

    public StateEventsHandler(Components components) {
        super(components);
        this.documents = new StateDocuments(components.bucketEvents(), components.callerJoin(),
                components.config().watched().stateBucket(), components.metrics());
        this.rechecks = components.rechecks();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return process(event.getRecords(), context.getLogger());
    }

    private SQSBatchResponse process(List<SQSMessage> messages, LambdaLogger log) {
        return flushingMetrics(() -> BatchItems.queue(messages, message -> message(message, log), log));
    }

    private void message(SQSMessage message, LambdaLogger log) throws HistoryStore.WriteFailure {
        int attempt = attempt(message);
        JsonNode document;
        try {
            document = JSON.readTree(message.getBody() == null ? "" : message.getBody());
        } catch (JsonProcessingException e) {
            document = null;
        }
        if (document == null || document.isMissingNode()) {
            log.log("skipped SQS message " + message.getMessageId() + ": its body is not JSON", LogLevel.WARN);
            return;
        }
        StateDocuments.Handled handled = documents.handle(document, log, attempt == 0);
        log.log("SQS message " + message.getMessageId() + ": " + JSON.valueToTree(handled.counts()), LogLevel.DEBUG);
        if (handled.lookAgainAt() != null) {
            rechecks.later(message.getBody(), handled.lookAgainAt(), attempt + 1);
            log.log("SQS message " + message.getMessageId() + " comes back at " + handled.lookAgainAt()
                    + " to decide what it cannot decide yet", LogLevel.INFO);
        }
    }

    /** How many times the message's event was brought back (0: its first delivery). */
    private static int attempt(SQSMessage message) {
        SQSEvent.MessageAttribute attempt = message.getMessageAttributes() == null ? null
                : message.getMessageAttributes().get(Rechecks.ATTEMPT_ATTRIBUTE);
        try {
            return attempt == null || attempt.getStringValue() == null ? 0 : Integer.parseInt(attempt.getStringValue());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    void primeOnce() {
        new StateEventsHandler(Priming.components()).process(List.of(Priming.objectMessage()), Priming.LOGGER);
        Priming.runtimeSerialization(SQSEvent.class, Priming.sqsEvent(), new SQSBatchResponse(List.of()));
    }
}

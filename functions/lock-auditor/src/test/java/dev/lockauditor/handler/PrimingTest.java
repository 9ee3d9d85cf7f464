package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SnapStart priming goes down the same paths as real events, on its backend in memory, and raises nothing. */
class PrimingTest {

    @Test
    void aPrimedStateWriteIsReadCheckedAndRecorded() {
        Components components = Priming.components();

        JsonNode response = new StateEventsHandler(components).handle(Priming.objectEvent(), Priming.LOGGER);

        assertEquals(1, response.get("recorded").asInt());
        List<HistoryEvent> history = ((InMemoryHistoryStore) components.history()).history(PrimingBackend.PATH);
        assertEquals(List.of(EventType.STATE_WRITTEN), history.stream().map(HistoryEvent::type).toList(),
                "locked and its digest matching: no alert");
        assertEquals(1L, history.get(0).facts().get("serial"));
    }

    @Test
    void primedLockRecordsAreRecordedAndTheirDigestMatches() {
        Components components = Priming.components();
        TestContext context = new TestContext();
        var event = new com.amazonaws.services.lambda.runtime.events.DynamodbEvent();
        event.setRecords(Priming.records());

        var response = new LockEventsHandler(components).handleRequest(event, context);

        assertTrue(response.getBatchItemFailures().isEmpty());
        List<HistoryEvent> history = ((InMemoryHistoryStore) components.history()).history(PrimingBackend.PATH);
        assertEquals(List.of(EventType.LOCK_ACQUIRED, EventType.DIGEST_UPDATED, EventType.LOCK_RELEASED),
                history.stream().map(HistoryEvent::type).filter(t -> !(t instanceof AlertType)).toList());
        assertTrue(history.stream().noneMatch(e -> e.type() instanceof AlertType));
    }
}

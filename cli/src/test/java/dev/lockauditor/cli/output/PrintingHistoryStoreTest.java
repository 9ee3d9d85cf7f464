package dev.lockauditor.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What scripts read from {@code local}: one history line per entry, however often it is written. */
class PrintingHistoryStoreTest {

    @Test
    void anEntryWrittenAgainIsNotPrintedAgain() throws Exception {
        List<String> printed = new ArrayList<>();
        PrintingHistoryStore store = new PrintingHistoryStore(new InMemoryHistoryStore(),
                (record, fields) -> printed.add(record + " " + fields.get("eventKey") + " " + fields.get("environment")),
                dev.lockauditor.config.Environments.of("production=app.tfstate", "staging"));
        StatePath state = new StatePath("acme-tfstate/app.tfstate", "acme-tfstate", "app.tfstate", "default");
        HistoryEvent written = new HistoryEvent(state, Instant.parse("2025-03-14T09:31:40Z"), Source.STATE_OBJECT,
                "event-1", "0062E99A88DC407460", "0", new Facts.StateWritten(Facts.ObjectFacts.NONE, null, null));
        HistoryEvent next = new HistoryEvent(state, Instant.parse("2025-03-14T09:32:00Z"), Source.STATE_OBJECT,
                "event-2", "0062E99A88DC407470", "0", new Facts.StateWritten(Facts.ObjectFacts.NONE, null, null));

        store.write(List.of(written));
        store.write(List.of(written, next));
        store.write(List.of(next));

        assertEquals(List.of("history " + written.eventKey() + " production", "history " + next.eventKey() + " production"),
                printed);
    }
}

package dev.lockauditor.handler;

import dev.lockauditor.backend.LockStream;
import dev.lockauditor.config.Environments;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.InMemoryAlertClaims;
import dev.lockauditor.audit.TestTime;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.audit.TestLockStream;
import dev.lockauditor.history.InMemoryBookkeeping;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The handlers' collaborators over a backend and history in memory, with time that moves only when waited on. */
final class TestComponents {

    /** History whose writes fail once {@code failFrom} events have been written, as a throttled table would. */
    static final class FailingHistory extends InMemoryHistoryStore {
        int failFrom = -1;
        private int written;

        @Override
        public synchronized List<HistoryEvent> write(List<HistoryEvent> events) throws WriteFailure {
            if (failFrom >= 0 && written + events.size() > failFrom) {
                int first = Math.max(0, failFrom - written);
                List<HistoryEvent> newly = super.write(events.subList(0, first));
                written += first;
                throw new WriteFailure(first, newly, new RuntimeException("ProvisionedThroughputExceededException"));
            }
            written += events.size();
            return super.write(events);
        }
    }

    final InMemoryBackend backend = new InMemoryBackend();
    final FailingHistory history = new FailingHistory();
    final InMemoryAlertClaims claims = new InMemoryAlertClaims(history);
    final List<Alert> published = new ArrayList<>();
    final ByteArrayOutputStream metricsOut = new ByteArrayOutputStream();
    final TestTime time = new TestTime(Instant.parse("2025-03-14T09:40:00Z"));
    final List<Recheck> rechecks = new ArrayList<>();
    final InMemoryBookkeeping bookkeeping = new InMemoryBookkeeping();

    {
        // A stack deployed before the day its tests replay: its backfill from the bucket's versions is done.
        bookkeeping.backfill(new dev.lockauditor.history.Bookkeeping.Backfill(null, null, time.instant().minusSeconds(86_400),
                time.instant().minusSeconds(86_400), time.instant().minusSeconds(3_600),
                dev.lockauditor.history.Bookkeeping.BackfillCounts.NONE));
    }

    /** CALLER_ENRICHMENT: on, as a stack with CloudTrail enrichment runs; off, as one without. */
    String callerEnrichment = "on";
    final TestLockStream stream = new TestLockStream();
    /** Whether the backend has a lock table (else it is on lock files alone). */
    boolean lockTable = true;

    /** An event sent back to the state events queue. */
    record Recheck(String document, Instant at, int attempt) {
    }

    Components components() {
        Config config = Config.from(Map.of("STATE_BUCKET", "acme-tfstate", "LOCK_TABLE", lockTable ? "terraform-locks" : "",
                "HISTORY_TABLE", "history", "ENVIRONMENT_NAME", "test", "CALLER_ENRICHMENT", callerEnrichment));
        return new Components(config, new Components.Backend(lockTable ? backend : Components.NO_LOCK_TABLE, backend,
                lockTable ? stream : LockStream.UNKNOWN),
                new Components.Stores(history, bookkeeping, claims), published::add,
                new Metrics(new PrintStream(metricsOut, true, StandardCharsets.UTF_8), Environments.only("test"), time), time,
                (document, at, attempt) -> rechecks.add(new Recheck(document, at, attempt)));
    }

    String metrics() {
        return metricsOut.toString(StandardCharsets.UTF_8);
    }
}

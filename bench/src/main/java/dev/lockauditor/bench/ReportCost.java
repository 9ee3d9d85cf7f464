package dev.lockauditor.bench;

import dev.lockauditor.api.Reports;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report at the scale the issue names: 500 states and 90 days of history at about 200 applies a day (each a lock
 * taken as lock file and lock table item, a write, a release), rendered from history already read.
 */
final class ReportCost {

    record Cost(int states, int sessions, double seconds, long bytes) {
    }

    static Cost measure(int states, int days, int appliesPerDay) {
        Instant to = Instant.parse("2025-06-12T00:00:00Z");
        Instant from = to.minus(Duration.ofDays(days));
        int perState = days * appliesPerDay / states;
        Map<String, List<HistoryEvent>> byState = new LinkedHashMap<>();
        int sequence = 0;
        for (int s = 0; s < states; s++) {
            String key = "env:/team-" + (s % 20) + "/stack-" + s + "/terraform.tfstate";
            StatePath state = new StatePath("acme-tfstate/" + key, "acme-tfstate", key, "team-" + (s % 20));
            List<HistoryEvent> history = new ArrayList<>();
            for (int apply = 0; apply < perState; apply++) {
                Instant at = from.plusSeconds((long) days * 86_400 * apply / perState + s * 97L);
                Facts.Lock lock = new Facts.Lock("lock-" + s + "-" + apply, "OperationTypeApply",
                        "ci@runner-" + (apply % 7), "1.11.2", at, "");
                history.add(new HistoryEvent(state, at, Source.S3_LOCK_FILE, "e" + ++sequence, "" + sequence, "0",
                        new Facts.LockAcquired(lock, null)));
                history.add(new HistoryEvent(state, at.plusMillis(300), Source.DYNAMODB, "e" + ++sequence,
                        "" + sequence, "0", new Facts.LockAcquired(lock, null)));
                history.add(new HistoryEvent(state, at.plusSeconds(120), Source.STATE_OBJECT, "e" + ++sequence,
                        "" + sequence, "0", new Facts.StateWritten(Facts.ObjectFacts.NONE,
                        new Facts.Header(4L, "1.11.2", apply, "lineage"), null)));
                history.add(new HistoryEvent(state, at.plusSeconds(240), Source.DYNAMODB, "e" + ++sequence,
                        "" + sequence, "0", new Facts.LockReleased(lock, 240L, null)));
            }
            byState.put(state.path(), history);
        }
        Reports.page("warm-up", from, to, byState, Environments.only("default"));
        long started = System.nanoTime();
        String page = Reports.page("acme-tfstate", from, to, byState, Environments.only("default"));
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Cost(states, perState * states, seconds, page.getBytes(StandardCharsets.UTF_8).length);
    }
}

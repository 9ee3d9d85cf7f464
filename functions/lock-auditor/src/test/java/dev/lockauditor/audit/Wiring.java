package dev.lockauditor.audit;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.InMemoryAlertClaims;
import dev.lockauditor.backend.InMemoryBackend;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.handler.Components;
import dev.lockauditor.history.InMemoryBookkeeping;
import dev.lockauditor.history.InMemoryHistoryStore;
import dev.lockauditor.metrics.Metrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The use cases wired as the functions wire them, over a backend, history and bookkeeping in memory. */
final class Wiring {

    /** One set of claims per history, as one table holds both. */
    private static final Map<InMemoryHistoryStore, InMemoryAlertClaims> CLAIMS = new IdentityHashMap<>();

    private Wiring() {
    }

    /**
     * @param settings settings over the defaults: lock table {@code terraform-locks}, bucket {@code acme-tfstate},
     *                 {@code .tfplan} keys excluded
     */
    static Components components(InMemoryBackend backend, InMemoryHistoryStore history, InMemoryBookkeeping bookkeeping,
                                 TestLockStream stream, List<Alert> published, TestTime time,
                                 Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(Map.of("STATE_BUCKET", "acme-tfstate", "LOCK_TABLE", "terraform-locks",
                "HISTORY_TABLE", "history", "STATE_EXCLUDE_SUFFIXES", ".tfplan", "CALLER_ENRICHMENT", "on"));
        env.putAll(settings);
        return new Components(Config.from(env), new Components.Backend(backend, backend, stream),
                new Components.Stores(history, bookkeeping, claims(history)), published::add,
                new Metrics(new PrintStream(OutputStream.nullOutputStream()), Environments.only("default"), time), time,
                Rechecks.NONE);
    }

    private static synchronized InMemoryAlertClaims claims(InMemoryHistoryStore history) {
        return CLAIMS.computeIfAbsent(history, InMemoryAlertClaims::new);
    }
}

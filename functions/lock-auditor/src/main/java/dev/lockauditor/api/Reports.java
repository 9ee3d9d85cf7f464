package dev.lockauditor.api;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.HistoryQuery;
import dev.lockauditor.report.ReportPage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The report of a backend's history as one self-contained HTML page ({@link ReportPage}): every state's lock
 * sessions, writes and alerts over a window, or one state's. It reads the history table only.
 */
public record Reports(AwsClients aws, Config config) {

    /**
     * @param statePath one state's lock path, or null for every state the history holds
     */
    public String html(String title, Instant from, Instant to, String statePath) {
        DynamoDbHistoryStore history = new DynamoDbHistoryStore(aws.dynamoDb(), config.kept().historyTable(),
                Duration.ofDays(config.kept().historyRetentionDays()));
        Map<String, List<HistoryEvent>> byState = statePath == null ? history.readAll(from)
                : Map.of(statePath, history.read(HistoryQuery.of(statePath).since(from)));
        return page(title, from, to, byState, config.environmentsByKey());
    }

    /** The page for histories already read, each oldest first. */
    public static String page(String title, Instant from, Instant to, Map<String, List<HistoryEvent>> byState,
                              Environments environments) {
        return ReportPage.render(title, from, to, ReportPage.states(byState, to, environments));
    }
}

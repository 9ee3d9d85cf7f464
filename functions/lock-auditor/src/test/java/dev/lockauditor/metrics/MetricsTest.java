package dev.lockauditor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metrics count each state's figures under its environment, so that a dashboard or an alarm can tell them apart. */
class MetricsTest {

    @Test
    void eachStatesFiguresAndAlertsCountUnderItsEnvironment() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Metrics metrics = new Metrics(new PrintStream(out, true, StandardCharsets.UTF_8),
                Environments.of("production=env:/prod/*;staging=env:/staging/*", "shared"),
                Clock.fixed(Instant.parse("2025-03-14T09:31:40Z"), ZoneOffset.UTC));
        StatePath prod = StatePath.parse("acme-tfstate/env:/prod/app/terraform.tfstate", "env:");
        StatePath staging = StatePath.parse("acme-tfstate/env:/staging/app/terraform.tfstate", "env:");

        metrics.recordHistory(List.of(written(prod, 1), written(prod, 2), written(staging, 3)));
        metrics.alertRaised(prod, "UNLOCKED_WRITE");
        metrics.gauge("LocksHeld", 4);
        metrics.flush();

        List<String> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).strip().split("\n")) {
            JsonNode emf = new ObjectMapper().readTree(line);
            List<String> dimensions = new ArrayList<>();
            emf.at("/_aws/CloudWatchMetrics/0/Dimensions/0").forEach(d -> dimensions.add(d.asText() + "=" + emf.get(d.asText()).asText()));
            lines.add(String.join(",", dimensions) + " " + emf.path("StatesWritten").asInt(0) + " "
                    + emf.path("AlertsRaised").asInt(0) + " " + emf.path("LocksHeld").asInt(0));
        }
        assertEquals(List.of("Environment=production 2 0 0", "Environment=staging 1 0 0",
                "Environment=production,AlertType=UNLOCKED_WRITE 0 1 0", "Environment=shared 0 0 4"), lines);
    }

    static HistoryEvent written(StatePath state, int n) {
        return new HistoryEvent(state, Instant.parse("2025-03-14T09:31:40Z"), Source.STATE_OBJECT, "event-" + n,
                "00" + n, "0", new Facts.StateWritten(Facts.ObjectFacts.NONE, null, null));
    }
}

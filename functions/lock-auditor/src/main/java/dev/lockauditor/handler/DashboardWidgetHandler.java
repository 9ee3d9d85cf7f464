package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbHistoryStore;
import dev.lockauditor.aws.PrimingTransport;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.report.ReportPage;
import dev.lockauditor.terraform.StatePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code DashboardWidgetFunction}: the CloudWatch dashboard's custom widget. CloudWatch calls it with the
 * dashboard's time range ({@code widgetContext.timeRange}, epoch milliseconds, zoomed in where the user zoomed) and
 * shows the HTML it answers: the same report as {@code bin/lock-auditor report --html}, for that window. It reads the
 * history table only. Asked to {@code describe} itself, it answers what it shows, in Markdown.
 */
public class DashboardWidgetHandler implements RequestStreamHandler, Resource {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DESCRIPTION = "Terraform state locks from the lock auditor's history for the dashboard's time "
            + "range: the locks held now, the busiest holders, alerts by type, and each state's lock sessions by holder, "
            + "writes and alerts. No parameters.";

    private final Function<Instant, Map<String, List<HistoryEvent>>> history;
    private final String title;
    private final Environments environments;
    private final Clock clock;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public DashboardWidgetHandler() {
        this(Config.fromEnvironment(), AwsClients.forLambda(System.getenv()));
        Core.getGlobalContext().register(this);
    }

    public DashboardWidgetHandler(Config config, AwsClients aws) {
        this(new DynamoDbHistoryStore(aws.dynamoDb(), Config.required("HISTORY_TABLE", config.kept().historyTable()),
                        Duration.ofDays(config.kept().historyRetentionDays()), config.environmentsByKey())::readAll,
                config.watched().stateBucket().isEmpty() ? config.kept().historyTable() : config.watched().stateBucket(),
                config.environmentsByKey(), Clock.systemUTC());
    }

    /** @param history every state's history since a time, by state path */
    public DashboardWidgetHandler(Function<Instant, Map<String, List<HistoryEvent>>> history, String title,
                                  Environments environments, Clock clock) {
        this.history = history;
        this.title = title;
        this.environments = environments;
        this.clock = clock;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode read = JSON.readTree(input);
        JsonNode event = read == null ? JSON.createObjectNode() : read;
        JSON.writeValue(output, answer(event));
        context.getLogger().log("widget answered for " + event.path("widgetContext").path("dashboardName").asText("?"),
                LogLevel.DEBUG);
    }

    /** The widget's HTML for the request's time range (the last day when it names none), or its description. */
    String answer(JsonNode event) {
        if (event.path("describe").asBoolean(false)) {
            return DESCRIPTION;
        }
        JsonNode range = event.path("widgetContext").path("timeRange");
        JsonNode window = range.path("zoom").has("start") ? range.path("zoom") : range;
        Instant now = clock.instant();
        Instant to = window.has("end") ? Instant.ofEpochMilli(window.path("end").asLong()) : now;
        Instant from = window.has("start") ? Instant.ofEpochMilli(window.path("start").asLong())
                : to.minus(Duration.ofDays(1));
        if (!from.isBefore(to)) {
            from = to.minus(Duration.ofDays(1));
        }
        return ReportPage.fragment(title, from, to, ReportPage.states(history.apply(from), to, environments));
    }

    /** SnapStart: renders a day of sample history and drives the table's scan path offline before the snapshot. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Instant now = Instant.now();
        StatePath state = new StatePath("priming/terraform.tfstate", "priming", "terraform.tfstate",
                StatePath.DEFAULT_WORKSPACE);
        Facts.Lock lock = new Facts.Lock("priming", "OperationTypeApply", "priming", "1.11.2", now.minusSeconds(60), "");
        List<HistoryEvent> day = List.of(
                new HistoryEvent(state, now.minusSeconds(60), Source.S3_LOCK_FILE, "priming", "1", "0",
                        new Facts.LockAcquired(lock, null)),
                new HistoryEvent(state, now.minusSeconds(30), Source.STATE_OBJECT, "priming", "2", "0",
                        new Facts.StateWritten(Facts.ObjectFacts.NONE, new Facts.Header(4L, "1.11.2", 1, "l"), null)),
                new HistoryEvent(state, now, Source.S3_LOCK_FILE, "priming", "3", "0",
                        new Facts.LockReleased(lock, 60L, null)));
        new DashboardWidgetHandler(from -> Map.of(state.path(), day), "priming", Environments.only("priming"),
                Clock.systemUTC()).answer(JSON.createObjectNode());
        PrimingTransport.offline(() -> {
            try {
                history.apply(now.minus(Duration.ofDays(1)));
            } catch (RuntimeException e) {
                // not primed: the first invocation takes the cost
            }
        });
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew.
    }
}

package dev.lockauditor.cli.command;

import dev.lockauditor.api.Reports;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.config.Config;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code report --html FILE [--since DURATION] [--state STATE_PATH]}: the history as one self-contained HTML page
 * (lock timelines, writes, alerts; no script, nothing loaded from elsewhere), from the history table only.
 */
public record ReportCommand(Map<String, String> env, PrintStream out, PrintStream err) {

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("report", List.of(),
            "Write the history as one HTML page that needs nothing else (open it offline, print it, attach it): the\n"
                    + "backend over the window (states by environment, lock hours, locks held now, the busiest\n"
                    + "holders, alerts by type), then each state's timeline of lock sessions by holder, writes and\n"
                    + "alerts. Reads HISTORY_TABLE only.",
            List.of(CommandLine.Option.valued("--html", "FILE", "where to write the page (required)"),
                    CommandLine.Option.valued("--since", "DURATION", "the window: 7d, 24h (default 7d)"),
                    CommandLine.Option.valued("--state", "STATE_PATH", "one state only, by its lock path bucket/key")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
        String file = parsed.value("--html", "").strip();
        if (file.isEmpty()) {
            throw new UsageException("report needs --html FILE: where to write the page");
        }
        Duration window = parsed.flag("--since") ? parsed.duration("--since") : Duration.ofDays(7);
        String state = parsed.flag("--state") ? parsed.value("--state", "").strip() : null;
        Map<String, String> settings = new HashMap<>(env);
        AwsClients aws = LocalResources.clients(settings);
        settings.put("HISTORY_TABLE", new LocalResources(aws, err).historyTable(settings.get("HISTORY_TABLE")));
        Config config = Config.from(settings);
        Instant to = Instant.now();
        Instant from = to.minus(window);
        String title = state != null ? state : env.getOrDefault("STATE_BUCKET", "").isBlank()
                ? config.kept().historyTable() : env.get("STATE_BUCKET");
        String html = AwsErrors.explain(() -> new Reports(aws, config).html(title, from, to, state),
                (state == null ? "dynamodb:Scan" : "dynamodb:Query") + " on " + config.kept().historyTable());
        try {
            Files.writeString(Path.of(file), html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SetupException("cannot write " + file + ": " + e.getMessage());
        }
        err.println("lock-auditor: wrote " + file + " (" + (html.getBytes(StandardCharsets.UTF_8).length / 1024)
                + " KiB)");
        return 0;
    }
}

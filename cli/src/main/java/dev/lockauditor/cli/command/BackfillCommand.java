package dev.lockauditor.cli.command;

import dev.lockauditor.alert.Alerts;
import dev.lockauditor.api.HistoryBackfill;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.cli.output.TerminalText;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.runtime.CliJson;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code backfill}: the history a versioned bucket already holds (every state write, deletion and lock session its
 * versions tell, since a time), written to the history table; read-only on the backend. The past anomalies it finds
 * are printed and kept in history as findings, never published. Exit status 0 when it found none, 1 when it found
 * some, 2 when it could not look.
 */
public record BackfillCommand(Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("backfill", List.of(),
            "Write the history the state bucket's versions already hold to HISTORY_TABLE: each state write (its\n"
                    + "header read with a ranged GET of that version), each deletion, each lock session of a lock file\n"
                    + "(who, operation, held for), marked as reconstructed; and the past anomalies (rollbacks, lineage\n"
                    + "swaps, same-serial conflicts, deletions, writes no lock covered) as findings, never alerts.\n"
                    + "Read-only on the backend; run again, it writes nothing new.",
            List.of(CommandLine.Option.valued("--bucket", "BUCKET", "the state bucket (default: STATE_BUCKET)"),
                    CommandLine.Option.valued("--table", "TABLE", "the lock table, named in the findings' commands "
                            + "(default: LOCK_TABLE)"),
                    CommandLine.Option.valued("--since", "DURATION", "how far back: 90d, 24h "
                            + "(default: HISTORY_RETENTION_DAYS, 90 days)"),
                    CommandLine.Option.valued("--format", "json|text", "text (default) or one JSON object per line")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
        String format = parsed.value("--format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new UsageException("--format takes json or text");
        }
        Map<String, String> settings = new HashMap<>(env);
        String bucket = parsed.value("--bucket", env.getOrDefault("STATE_BUCKET", "")).strip();
        if (bucket.isEmpty()) {
            throw new UsageException("backfill needs the state bucket: --bucket or STATE_BUCKET");
        }
        settings.put("STATE_BUCKET", bucket);
        settings.put("LOCK_TABLE", parsed.value("--table", env.getOrDefault("LOCK_TABLE", "")).strip());
        AwsClients aws = LocalResources.clients(settings);
        settings.put("HISTORY_TABLE", new LocalResources(aws, err).historyTable(settings.get("HISTORY_TABLE")));
        Config config = Config.from(settings);
        Duration window = parsed.flag("--since") ? parsed.duration("--since")
                : Duration.ofDays(config.kept().historyRetentionDays());
        Instant started = Instant.now();
        Instant since = started.minus(window);
        Progress progress = new Progress(err, terminal, started);
        HistoryBackfill.Result result;
        try {
            result = AwsErrors.explain(() -> {
                try {
                    return new HistoryBackfill(aws, config).run(since, Duration.ofSeconds(1), progress::show);
                } catch (HistoryStore.WriteFailure e) {
                    throw new SetupException("cannot write to HISTORY_TABLE '" + config.kept().historyTable() + "': "
                            + e.getMessage());
                }
            }, "s3:ListBucketVersions and s3:GetObjectVersion on " + bucket + ", dynamodb:PutItem and dynamodb:Query "
                    + "on " + config.kept().historyTable());
        } finally {
            progress.finish();
        }
        HistoryBackfill.Progress done = result.done();
        long seconds = Duration.between(started, Instant.now()).toSeconds();
        if (format.equals("json")) {
            for (HistoryBackfill.Finding finding : result.findings()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("record", "finding");
                line.put("type", finding.type());
                line.put("statePath", finding.statePath());
                line.put("at", finding.at().toString());
                line.put("summary", finding.summary());
                line.putAll(finding.facts());
                out.println(CliJson.write(line));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("record", "backfill");
            summary.put("stateBucket", bucket);
            summary.put("since", since.toString());
            summary.put("states", done.states());
            summary.put("versionsRead", done.versionsRead());
            summary.put("stateWrites", done.stateWrites());
            summary.put("lockSessions", done.lockSessions());
            summary.put("findings", done.findings());
            summary.put("requests", done.requests());
            summary.put("seconds", seconds);
            out.println(CliJson.write(summary));
        } else {
            for (HistoryBackfill.Finding finding : result.findings()) {
                out.println(TerminalText.visible(finding.at() + "  " + finding.type() + "  " + finding.statePath()));
                out.println(TerminalText.visible("    " + finding.summary()));
            }
            out.println(TerminalText.visible(bucket + " since " + since + ": " + done.versionsRead() + " versions read, "
                    + done.states() + " states, " + done.stateWrites() + " state writes, " + done.lockSessions()
                    + " lock sessions, " + done.findings() + " past findings; " + done.requests() + " requests in "
                    + Alerts.duration(seconds)));
        }
        return result.findings().isEmpty() ? 0 : 1;
    }

    /** A progress line on stderr, redrawn in place on a terminal; nothing otherwise (stdout is the result). */
    private static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private final Instant started;
        private boolean shown;

        Progress(PrintStream err, boolean terminal, Instant started) {
            this.err = err;
            this.terminal = terminal;
            this.started = started;
        }

        void show(HistoryBackfill.Progress now) {
            if (!terminal) {
                return;
            }
            double seconds = Math.max(0.001, Duration.between(started, Instant.now()).toMillis() / 1000.0);
            double rate = now.versionsRead() / seconds;
            String left = rate <= 0 ? "?" : Alerts.duration((long) ((now.versionsToRead() - now.versionsRead()) / rate));
            err.print("\rbackfill: " + now.versionsRead() + "/" + now.versionsToRead() + " versions read, "
                    + now.states() + " states, " + Math.round(rate) + "/s, " + left + " left   ");
            shown = true;
        }

        void finish() {
            if (shown) {
                err.println();
            }
        }
    }
}

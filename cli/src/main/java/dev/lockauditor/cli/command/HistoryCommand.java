package dev.lockauditor.cli.command;

import dev.lockauditor.alert.Alerts;
import dev.lockauditor.api.StateHistory;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.cli.output.TerminalText;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryAttributes;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.runtime.CliJson;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;


/** {@code history STATE_PATH [--since 7d] [--json]}: who held a state's lock, when, for how long, and what they wrote. */
public final class HistoryCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private final Map<String, String> env;
    private final PrintStream out;

    public HistoryCommand(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("history", List.of("STATE_PATH"),
            "The lock sessions of one state, newest first: who held it, when, for how long, what they wrote, and\n"
                    + "the alerts raised. STATE_PATH is the lock path bucket/key, as Terraform prints it.",
            List.of(CommandLine.Option.valued("--since", "WHEN", "7d, 24h, 30m, a date or a time (default 7d)"),
                    CommandLine.Option.flag("--json", "the sessions as JSON, for scripts")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed;
        try {
            parsed = CommandLine.parse(SPEC, args);
        } catch (UsageException e) {
            if (args.stream().noneMatch(a -> !a.startsWith("-"))) {
                throw new UsageException("history takes a STATE_PATH, the lock path bucket/key (as Terraform prints it)");
            }
            throw e;
        }
        String statePath = parsed.operand(0);
        boolean json = parsed.flag("--json");
        Instant from = parsed.flag("--since") ? since(parsed.value("--since", "")) : null;
        Duration since = Duration.ofDays(7);
        if (statePath == null || !statePath.contains("/")) {
            throw new UsageException("history takes a STATE_PATH, the lock path bucket/key (as Terraform prints it)");
        }
        Instant start = from != null ? from : Instant.now().minus(since);
        AwsClients aws = LocalResources.clients(env);
        String table = env.getOrDefault("HISTORY_TABLE", "");
        if (table.isBlank()) {
            if (!LocalResources.isLoopback(aws.endpoint())) {
                throw new SetupException("HISTORY_TABLE is not set; use the stack's LockHistoryTableName output");
            }
            table = LocalResources.DEFAULT_HISTORY_TABLE;
        }
        String path = statePath;
        String historyTable = table;
        StateHistory sessions = AwsErrors.explain(() -> StateHistory.read(aws, historyTable, path, start),
                "dynamodb:Query on " + historyTable);
        if (json) {
            out.println(CliJson.write(json(path, start, sessions)));
        } else {
            text(path, start, sessions);
        }
        return 0;
    }

    static Instant since(String text) {
        Duration relative = CommandLine.lengthOfTime(text);
        if (relative != null) {
            return Instant.now().minus(relative);
        }
        try {
            return text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new UsageException("--since takes 7d, 24h, 30m, a date (2025-03-14) or a time (2025-03-14T09:00:00Z)");
        }
    }

    private void text(String path, Instant start, StateHistory history) {
        out.println(TerminalText.visible(path + ": " + history.sessions().size() + " lock session" + (history.sessions().size() == 1 ? "" : "s")
                + " since " + WHEN.format(start)));
        for (StateHistory.Session lock : history.sessions()) {
            out.println();
            String until = lock.end() == null ? "held now" : TIME.format(lock.end());
            String held = lock.heldForSeconds() == null ? "" : " (" + Alerts.duration(lock.heldForSeconds()) + ")";
            out.println(TerminalText.visible((lock.start() == null ? "?" : WHEN.format(lock.start())) + " -> " + until + held
                    + "  " + Alerts.who(lock.lock().who()) + "  " + or(lock.lock().operation()) + "  "
                    + or(lock.lock().version()) + "  lock " + lock.lockId() + "  [" + sources(lock) + "]"));
            lock.writes().forEach(write -> out.println(TerminalText.visible("    " + write(write))));
            lock.alerts().forEach(alert -> out.println(TerminalText.visible("    " + alert(alert))));
        }
        if (!history.outsideLocks().isEmpty() || !history.otherAlerts().isEmpty()) {
            out.println();
            out.println(TerminalText.visible("Outside any lock:"));
            history.outsideLocks().forEach(write -> out.println(TerminalText.visible("    " + write(write))));
            history.otherAlerts().forEach(alert -> out.println(TerminalText.visible("    " + alert(alert))));
        }
    }

    private static String write(HistoryEvent write) {
        Facts.ObjectFacts object;
        String what;
        if (write.facts() instanceof Facts.StateWritten written) {
            object = written.object();
            what = "write " + (written.header() == null ? "(header unreadable)" : "serial " + written.header().serial())
                    + (object.size() == null ? "" : " (" + object.size() + " bytes)");
        } else {
            object = ((Facts.StateDeleted) write.facts()).object();
            what = "deleted";
        }
        return TIME.format(write.at()) + "  " + what + (write.source() == Source.VERSIONS
                ? "  (reconstructed from version " + object.versionId() + ")"
                : " by " + new Alerts.Writer(object.writer(), object.sourceIp(), write.caller()).describe());
    }

    private static String alert(HistoryEvent entry) {
        Facts.AlertRaised alert = (Facts.AlertRaised) entry.facts();
        return (Boolean.TRUE.equals(alert.details().get("past")) ? "!! past finding " : "!! ") + alert.severity() + " "
                + alert.type() + ": " + alert.summary();
    }

    private static String sources(StateHistory.Session lock) {
        return String.join(", ", lock.sources().stream().map(Source::label).toList());
    }

    private static String or(String value) {
        return value == null ? "" : value;
    }

    private static ObjectNode json(String path, Instant start, StateHistory history) {
        ObjectNode root = JSON.createObjectNode().put("statePath", path).put("since", start.toString());
        ArrayNode sessions = root.putArray("sessions");
        for (StateHistory.Session lock : history.sessions()) {
            ObjectNode node = sessions.addObject().put(HistoryAttributes.LOCK_ID, lock.lockId())
                    .put("acquiredAt", lock.start() == null ? null : lock.start().toString())
                    .put("releasedAt", lock.end() == null ? null : lock.end().toString())
                    .put(HistoryAttributes.HELD_FOR_SECONDS, lock.heldForSeconds())
                    .put(HistoryAttributes.WHO, or(lock.lock().who()))
                    .put(HistoryAttributes.OPERATION, or(lock.lock().operation()))
                    .put(HistoryAttributes.VERSION, or(lock.lock().version()));
            lock.sources().forEach(source -> node.withArray("sources").add(source.label()));
            entries(node.putArray("writes"), lock.writes());
            entries(node.putArray("alerts"), lock.alerts());
        }
        entries(root.putArray("outsideLocks"), history.outsideLocks());
        entries(root.putArray("otherAlerts"), history.otherAlerts());
        return root;
    }

    private static void entries(ArrayNode array, List<HistoryEvent> entries) {
        for (HistoryEvent entry : entries) {
            array.add(JSON.valueToTree(entry.fields()));
        }
    }

}

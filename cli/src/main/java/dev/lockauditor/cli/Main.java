package dev.lockauditor.cli;

import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import dev.lockauditor.cli.command.AckCommand;
import dev.lockauditor.cli.command.AuditCommand;
import dev.lockauditor.cli.command.BackfillCommand;
import dev.lockauditor.cli.command.HistoryCommand;
import dev.lockauditor.cli.command.InvokeCommand;
import dev.lockauditor.cli.command.LocalCommand;
import dev.lockauditor.cli.command.ReportCommand;
import dev.lockauditor.cli.command.RestorePlanCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code bin/lock-auditor}: run the auditor's functions on this machine. */
public final class Main {

    static final String USAGE = """
            usage: bin/lock-auditor COMMAND [OPTIONS]

              invoke FUNCTION EVENT_FILE [--env-vars FILE]
                  Run one function's handler on an event, as `sam local invoke` does, without Docker.
                  FUNCTION is the function's name in template.yaml, e.g. LockEventsFunction.
              local --demo [--duration SECONDS] [--verbose]
                  Try it: start moto_server, create a Terraform backend in it, replay a team's day on
                  it and show what the auditor records and raises. No AWS account needed.
              local [--duration SECONDS] [--sweep-every SECONDS] [--format json|text] [--verbose]
                  Run the auditor against AWS_ENDPOINT_URL (or AWS): read STATE_BUCKET's events (states and
                  lock files), poll LOCK_TABLE's stream when the backend has a lock table, sweep for stale
                  locks (every 60 s by default). On a terminal it
                  prints a timeline, and the functions' logs and metrics go to a file it names (--verbose
                  shows them); otherwise one JSON object per line, logs and metrics on stderr.
              audit [--bucket BUCKET] [--table TABLE] [--json] [--parallel N]
                  Check a live backend once, read-only: locks held (stale ones with the command that
                  releases them), lock files left behind and the versions kept of them; with a lock table,
                  every state's digest, orphaned and missing digests. Exit status 0 when clean, 1 when it
                  found a problem, 2 when it could not look.
              history STATE_PATH [--since 7d] [--json]
                  The lock sessions of one state, newest first: who held it, when, for how long, what
                  they wrote, and the alerts raised.
              ack STATE_PATH --reason TEXT [--for 8h]
                  Acknowledge the lock held now on a state as held on purpose (maintenance): no stale-lock
                  alert for it while that lasts. Written to the auditor's history table only.
              backfill [--bucket BUCKET] [--table TABLE] [--since 90d] [--format json]
                  Write the history the bucket's versions hold (state writes, deletions, lock sessions) to
                  HISTORY_TABLE, and report the past anomalies it finds. Read-only on the backend.
              report --html FILE [--since 7d] [--state STATE_PATH]
                  The history as one self-contained HTML page: lock timelines by holder, writes, alerts.
              restore-plan STATE_PATH [--serial N | --version-id V] [--format json]
                  The version of a state to bring back from its bucket's versions, and the exact commands
                  (copy-object or a delete marker's removal, the digest's put-item), printed, never run.

            Settings come from the environment (see docs/settings.md): STATE_BUCKET, LOCK_TABLE (only with a
            lock table), HISTORY_TABLE, AWS_REGION, ...
            Run 'bin/lock-auditor COMMAND --help' for a command's options.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        // Standard output carries results only: whatever else the functions print (metrics) goes to stderr.
        PrintStream out = System.out;
        System.setOut(System.err);
        int status = run(Arrays.asList(args), System.getenv(), out, System.err, System.console() != null);
        out.flush();
        System.exit(status);
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, false);
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            (args.isEmpty() ? err : out).print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "invoke" -> new InvokeCommand(env, out, err).run(rest);
                case "local" -> LocalCommand.run(rest, env, out, err, terminal);
                case "audit" -> new AuditCommand(env, out, err, terminal).run(rest);
                case "history" -> new HistoryCommand(env, out).run(rest);
                case "ack" -> new AckCommand(env, out, err).run(rest);
                case "restore-plan" -> new RestorePlanCommand(env, out).run(rest);
                case "backfill" -> new BackfillCommand(env, out, err, terminal).run(rest);
                case "report" -> new ReportCommand(env, out, err).run(rest);
                default -> throw new UsageException("unknown command '" + args.get(0) + "'");
            };
        } catch (CommandLine.HelpRequested help) {
            out.print(help.usage());
            return 0;
        } catch (UsageException e) {
            err.println("lock-auditor: " + e.getMessage());
            err.println("Run 'bin/lock-auditor --help' for usage.");
            return 2;
        } catch (SetupException e) {
            err.println("lock-auditor: " + e.getMessage());
            return 2;
        }
    }
}

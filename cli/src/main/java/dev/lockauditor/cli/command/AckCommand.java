package dev.lockauditor.cli.command;

import dev.lockauditor.alert.Alerts;
import dev.lockauditor.api.LockAcknowledgements;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.config.Config;
import dev.lockauditor.history.HistoryStore;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import software.amazon.awssdk.services.sts.StsClient;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ack STATE_PATH --reason TEXT [--for DURATION]}: a lock held on purpose (maintenance) is acknowledged, so that
 * the sweep sends no stale-lock alert for that lock ID while the acknowledgement lasts; a new lock on the state is
 * not covered. It records who acknowledged it (the caller's AWS identity) and why in the auditor's own history table,
 * and writes nothing else: never the lock table or the state bucket.
 */
public record AckCommand(Map<String, String> env, PrintStream out, PrintStream err) {

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("ack", List.of("STATE_PATH"),
            "Acknowledge the lock held now on a state as held on purpose (maintenance): no stale-lock alert for that\n"
                    + "lock ID while the acknowledgement lasts; a new lock is not covered. Recorded in HISTORY_TABLE with\n"
                    + "who acknowledged it (the caller's AWS identity) and why; the backend is only read.",
            List.of(CommandLine.Option.valued("--reason", "TEXT", "why the lock is held (required)"),
                    CommandLine.Option.valued("--for", "DURATION", "30m, 8h, 2d (default: until the lock is released)"),
                    CommandLine.Option.valued("--table", "TABLE", "the lock table (default: LOCK_TABLE)"),
                    CommandLine.Option.valued("--bucket", "BUCKET", "the state bucket (default: the state path's)")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
        String reason = parsed.value("--reason", "").strip();
        if (reason.isEmpty()) {
            throw new UsageException("ack needs --reason TEXT: why the lock is held");
        }
        Duration lasting = parsed.duration("--for");
        Config config = Config.from(env);
        StatePath state;
        try {
            state = StatePath.parse(parsed.operand(0), config.watched().workspaceKeyPrefix());
        } catch (MalformedException e) {
            throw new UsageException("ack takes a STATE_PATH, the lock path bucket/key: " + e.getMessage());
        }
        Map<String, String> settings = new HashMap<>(env);
        String table = parsed.value("--table", env.getOrDefault("LOCK_TABLE", ""));
        String bucket = parsed.value("--bucket", env.getOrDefault("STATE_BUCKET", state.bucket()));
        AwsClients aws = LocalResources.clients(settings);

        LockAcknowledgements acknowledgements = new LockAcknowledgements(aws, config);
        Optional<LockInfo> held = AwsErrors.explain(() -> acknowledgements.held(table, bucket, state),
                "dynamodb:GetItem on " + table + " and s3:GetObject on " + bucket);
        if (held.isEmpty()) {
            err.println("lock-auditor: no lock is held on " + state.path() + " now: nothing to acknowledge");
            return 1;
        }
        LockInfo lock = held.get();
        String by = AwsErrors.explain(() -> aws.client(StsClient.builder()).getCallerIdentity().arn(),
                "sts:GetCallerIdentity");
        String historyTable = new LocalResources(aws, err).historyTable(env.get("HISTORY_TABLE"));
        Instant now = Instant.now();
        Instant until = lasting == null ? null : now.plus(lasting);
        try {
            acknowledgements.acknowledge(historyTable, state, lock, by, reason, now, until);
        } catch (HistoryStore.WriteFailure e) {
            throw new SetupException("cannot write to HISTORY_TABLE '" + historyTable + "': " + e.getMessage());
        }
        out.println(dev.lockauditor.cli.output.TerminalText.visible("acknowledged lock " + lock.id() + " on " + state.path()
                + ", held by " + Alerts.who(lock.who())
                + " (" + lock.operation() + ") since " + lock.created() + ", "
                + (until == null ? "until it is released" : "until " + until) + ", by " + by + ": " + reason));
        return 0;
    }
}

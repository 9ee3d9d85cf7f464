package dev.lockauditor.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.api.RestorePlans;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.cli.output.TerminalText;
import dev.lockauditor.config.Config;
import dev.lockauditor.runtime.CliJson;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.UsageException;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code restore-plan STATE_PATH [--serial N | --version-id V] [--format json]}: the version of a state to bring
 * back and the exact commands, printed and never run; read-only on the backend. Exit status 0 with a plan, 1 when
 * there is nothing to bring back (an unversioned bucket, no such version), 2 when it could not look.
 */
public record RestorePlanCommand(Map<String, String> env, PrintStream out) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("restore-plan", List.of("STATE_PATH"),
            "How to bring a state back from its bucket's versions: the version, its serial, lineage and time, and the\n"
                    + "commands (aws s3api copy-object, or the removal of a delete marker, and with a lock table the\n"
                    + "aws dynamodb put-item that sets its digest), printed, never run. By default, the state before\n"
                    + "its current version: the newest version of the highest serial of the lineage it replaced.",
            List.of(CommandLine.Option.valued("--serial", "N", "the newest version of this serial"),
                    CommandLine.Option.valued("--version-id", "V", "this version"),
                    CommandLine.Option.valued("--table", "TABLE", "the lock table whose digest to set "
                            + "(default: LOCK_TABLE; none for a backend on lock files alone)"),
                    CommandLine.Option.valued("--format", "json|text", "text (default) or JSON, for scripts")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
        if (parsed.flag("--serial") && parsed.flag("--version-id")) {
            throw new UsageException("restore-plan takes --serial or --version-id, not both");
        }
        String format = parsed.value("--format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new UsageException("--format takes json or text");
        }
        Long serial;
        try {
            serial = parsed.flag("--serial") ? Long.valueOf(parsed.value("--serial", "")) : null;
        } catch (NumberFormatException e) {
            throw new UsageException("--serial takes a state's serial, a number");
        }
        String versionId = parsed.flag("--version-id") ? parsed.value("--version-id", "") : null;
        Config config = Config.from(env);
        StatePath state;
        try {
            state = StatePath.parse(parsed.operand(0), config.watched().workspaceKeyPrefix());
        } catch (MalformedException e) {
            throw new UsageException("restore-plan takes a STATE_PATH, the lock path bucket/key: " + e.getMessage());
        }
        String table = parsed.value("--table", env.getOrDefault("LOCK_TABLE", "")).strip();
        AwsClients aws = LocalResources.clients(env);
        RestorePlans.Plan plan = AwsErrors.explain(() -> new RestorePlans(aws, table).plan(state, serial, versionId),
                "s3:ListBucketVersions and s3:GetObjectVersion on " + state.bucket());
        if (format.equals("json")) {
            out.println(CliJson.pretty(json(plan)));
        } else {
            text(plan);
        }
        return plan.restore() == null ? 1 : 0;
    }

    private static ObjectNode json(RestorePlans.Plan plan) {
        ObjectNode root = JSON.createObjectNode().put("statePath", plan.state().path()).put("versioned", plan.versioned());
        root.set("restore", plan.restore() == null ? null : JSON.valueToTree(plan.restore().asFact()));
        root.put("removesDeleteMarker", plan.removesMarker());
        plan.commands().forEach(root.putArray("commands")::add);
        root.put("why", plan.why());
        ArrayNode versions = root.putArray("versions");
        for (RestorePlans.Version version : plan.versions()) {
            ObjectNode node = versions.addObject().put("versionId", version.versionId())
                    .put("lastModified", String.valueOf(version.lastModified()))
                    .put("deleteMarker", version.deleteMarker()).put("current", version.current());
            if (version.size() != null) {
                node.put("size", version.size());
            }
            if (version.header() != null) {
                node.put("serial", version.header().serial()).put("lineage", version.header().lineage());
            }
            if (version.notAState() != null) {
                node.put("notAState", version.notAState());
            }
        }
        return root;
    }

    private void text(RestorePlans.Plan plan) {
        line("restore plan for " + plan.state().path());
        if (plan.restore() == null) {
            line("nothing to bring back: " + plan.why());
        } else {
            var restore = plan.restore();
            line("bring back version " + restore.versionId() + ": serial " + restore.serial() + ", lineage "
                    + restore.lineage() + ", written " + restore.writtenAt()
                    + (restore.md5() == null ? "" : ", MD5 " + restore.md5()));
            if (plan.why() != null) {
                line("note: " + plan.why());
            }
            line("");
            line("run, in order (printed, never run by lock-auditor):");
            plan.commands().forEach(command -> line("  " + command));
        }
        if (!plan.versions().isEmpty()) {
            line("");
            line("newest versions, newest first:");
            for (RestorePlans.Version version : plan.versions()) {
                String what = version.deleteMarker() ? "delete marker"
                        : version.header() != null ? "serial " + version.header().serial() + "  lineage "
                                + version.header().lineage() + "  " + version.size() + " bytes"
                        : "not a state: " + version.notAState();
                line(String.format("  %-34s %-26s %s%s", version.versionId(), version.lastModified(), what,
                        version.current() ? "  (current)" : ""));
            }
        }
    }

    private void line(String text) {
        out.println(TerminalText.visible(text));
    }
}

package dev.lockauditor.cli.command;

import dev.lockauditor.alert.Alerts;
import dev.lockauditor.api.BackendAudit;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.runtime.ListPrices;
import dev.lockauditor.cli.output.TerminalText;
import dev.lockauditor.config.Config;
import dev.lockauditor.runtime.Backend;
import dev.lockauditor.runtime.CliJson;
import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code audit}: one read-only pass over live backends (one, or one per account with {@code --backend}), with or
 * without a lock table. Every lock held now (stale ones with the command that releases them), lock files left behind,
 * the noncurrent lock file versions a versioned bucket keeps and what they cost; with a lock table, every state's
 * digest checked against its object, digests whose state is gone, states with no digest where the table has digests
 * for others. Exit status 0 when clean, 1 when it found a problem, 2 when it could not look.
 */
public final class AuditCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> ROW = new TypeReference<>() { };

    private static String lockTable(Backend backend) {
        return backend.hasLockTable() ? backend.table() : null;
    }

    /** What one backend holds now: its rows, each with its state's environment. */
    private record Reviewed(Backend backend, List<Map<String, Object>> locks, List<Map<String, Object>> digests,
                            List<Map<String, Object>> findings, List<Map<String, Object>> lockFileVersions,
                            String versionsNotListed, List<String> environments) {
    }

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    public AuditCommand(Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static final CommandLine.Spec SPEC = new CommandLine.Spec("audit", List.of(),
            "Check live backends once, read-only: locks held (stale ones with the command that releases them),\n"
                    + "lock files left behind, what a versioned bucket keeps of each lock file and what it costs, and,\n"
                    + "with a lock table, every state's digest, orphaned and missing digests; one report, environment by\n"
                    + "environment (ENVIRONMENTS, ENVIRONMENT_NAME). Exit status 0 when clean, 1 when it found a\n"
                    + "problem, 2 when it could not look at a backend.",
            List.of(CommandLine.Option.valued("--bucket", "BUCKET", "the state bucket (default: STATE_BUCKET)"),
                    CommandLine.Option.valued("--table", "TABLE", "the lock table, if the backend has one "
                            + "(default: LOCK_TABLE; none for a backend on lock files alone)"),
                    CommandLine.Option.repeatable("--backend", "SPEC", "a backend: bucket=B[,table=T][,profile=P]"
                            + "[,role=ARN][,region=R][,environment=NAME]; give one per account"),
                    CommandLine.Option.flag("--json", "the report as JSON, for scripts"),
                    CommandLine.Option.valued("--parallel", "N", "digests verified at a time (default 4)")));

    public int run(List<String> args) {
        CommandLine.Parsed parsed = CommandLine.parse(SPEC, args);
        boolean json = parsed.flag("--json");
        int parallel = parsed.number("--parallel", 4, 1);
        List<Backend> backends = new ArrayList<>(parsed.values("--backend").stream().map(Backend::parse).toList());
        if (backends.isEmpty()) {
            String table = parsed.value("--table", env.getOrDefault("LOCK_TABLE", "")).strip();
            String bucket = parsed.value("--bucket", env.getOrDefault("STATE_BUCKET", "")).strip();
            if (bucket.isEmpty()) {
                throw new UsageException("audit needs the state bucket: --bucket or STATE_BUCKET (and --table or "
                        + "LOCK_TABLE when the backend has a lock table), or --backend");
            }
            backends.add(new Backend(table, bucket, null, null, null, null));
        } else if (parsed.flag("--table") || parsed.flag("--bucket")) {
            throw new UsageException("audit takes --backend, or --table and --bucket, not both");
        }
        Instant now = Instant.now();
        List<Reviewed> reviewed = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (Backend backend : backends) {
            try {
                reviewed.add(review(backend, parallel, now));
            } catch (SetupException e) {
                if (backends.size() == 1) {
                    throw e;
                }
                unreachable.add(backend.label() + ": " + e.getMessage());
                err.println("lock-auditor: " + backend.label() + ": " + e.getMessage());
            }
        }
        boolean clean = reviewed.stream().allMatch(r -> r.findings().isEmpty());
        if (json) {
            json(reviewed, unreachable, clean);
        } else {
            text(reviewed, unreachable);
        }
        return !unreachable.isEmpty() ? 2 : clean ? 0 : 1;
    }

    /** One backend, read-only, with its own credentials and its states' environments. */
    private Reviewed review(Backend backend, int parallel, Instant now) {
        Map<String, String> settings = backend.settings(env);
        Config config;
        BackendAudit audit;
        try {
            config = Config.from(settings);
            audit = BackendAudit.of(config, backend.hasLockTable());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new SetupException(e.getMessage());
        }
        AwsClients aws = backend.clients(settings);
        String table = config.watched().lockTable();
        String bucketName = config.watched().stateBucket();
        if (backend.hasLockTable()) {
            AwsErrors.explain(() -> {
                boolean lockId = aws.dynamoDb().describeTable(b -> b.tableName(table)).table().keySchema().stream()
                        .anyMatch(k -> k.attributeName().equals("LockID"));
                if (!lockId) {
                    throw new SetupException("table '" + table + "' has no LockID key: not a Terraform lock table");
                }
                return null;
            }, "dynamodb:DescribeTable on " + table);
        }
        AwsErrors.explain(() -> aws.s3().headBucket(b -> b.bucket(bucketName)), "s3:ListBucket on " + bucketName);
        Progress progress = new Progress(err, terminal);
        BackendAudit.Report report = audit.review(aws, AwsErrors::explain, progress::update, parallel, now);
        List<Map<String, Object>> locks = rows(report.locks(), backend);
        List<Map<String, Object>> digests = rows(report.digests(), backend);
        digests.forEach(row -> row.values().removeIf(java.util.Objects::isNull));
        List<Map<String, Object>> findings = rows(report.findings(), backend);
        List<Map<String, Object>> versions = rows(report.lockFileVersions(), backend);
        versions.forEach(row -> row.put("monthlyCostUsd",
                ListPrices.S3_STANDARD_GB_MONTH * ((Number) row.get("bytes")).longValue() / ListPrices.GB));
        return new Reviewed(backend, locks, digests, findings, versions, report.versionsNotListed(),
                report.environments());
    }

    /** Each record as a row, with the backend it was found in. */
    private static List<Map<String, Object>> rows(List<? extends Record> records, Backend backend) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Record record : records) {
            Map<String, Object> row = JSON.convertValue(record, ROW);
            row.put("lockTable", backend.table());
            row.put("stateBucket", backend.bucket());
            rows.add(row);
        }
        return rows;
    }

    /** The environments of the report, in the order the settings name them, then any other that has rows. */
    private static List<String> environments(List<Reviewed> reviewed) {
        Set<String> names = new LinkedHashSet<>();
        for (Reviewed backend : reviewed) {
            for (List<Map<String, Object>> rows : List.of(backend.locks(), backend.digests(), backend.findings())) {
                rows.forEach(row -> names.add((String) row.get("environment")));
            }
        }
        List<String> ordered = new ArrayList<>();
        reviewed.forEach(backend -> backend.environments().stream().filter(names::contains)
                .filter(name -> !ordered.contains(name)).forEach(ordered::add));
        names.stream().filter(name -> !ordered.contains(name)).forEach(ordered::add);
        return ordered;
    }

    private static List<Map<String, Object>> rows(List<Reviewed> reviewed, String environment,
                                                  java.util.function.Function<Reviewed, List<Map<String, Object>>> part) {
        return reviewed.stream().flatMap(backend -> part.apply(backend).stream())
                .filter(row -> environment == null || environment.equals(row.get("environment"))).toList();
    }

    private void json(List<Reviewed> reviewed, List<String> unreachable, boolean clean) {
        ObjectNode report = JSON.createObjectNode();
        if (reviewed.size() == 1 && unreachable.isEmpty()) {
            report.put("lockTable", lockTable(reviewed.get(0).backend())).put("stateBucket", reviewed.get(0).backend().bucket());
        }
        report.put("clean", clean && unreachable.isEmpty());
        ArrayNode backends = report.putArray("backends");
        reviewed.forEach(r -> backends.addObject().put("lockTable", lockTable(r.backend()))
                .put("stateBucket", r.backend().bucket()).put("backend", r.backend().label())
                .put("lockFileVersionsNotListed", r.versionsNotListed()));
        ArrayNode environments = report.putArray("environments");
        for (String environment : environments(reviewed)) {
            int problems = rows(reviewed, environment, Reviewed::findings).size();
            environments.addObject().put("environment", environment).put("clean", problems == 0)
                    .put("locks", rows(reviewed, environment, Reviewed::locks).size())
                    .put("digests", rows(reviewed, environment, Reviewed::digests).size())
                    .put("findings", problems);
        }
        report.set("locks", JSON.valueToTree(rows(reviewed, null, Reviewed::locks)));
        report.set("digests", JSON.valueToTree(rows(reviewed, null, Reviewed::digests)));
        report.set("findings", JSON.valueToTree(rows(reviewed, null, Reviewed::findings)));
        report.set("lockFileVersions", JSON.valueToTree(rows(reviewed, null, Reviewed::lockFileVersions)));
        report.set("unreachable", JSON.valueToTree(unreachable));
        out.println(CliJson.pretty(report));
    }

    /** The report for a person: environment by environment, each with its locks, digests and problems. */
    private void text(List<Reviewed> reviewed, List<String> unreachable) {
        List<String> environments = environments(reviewed);
        boolean sections = environments.size() > 1 || reviewed.size() > 1;
        if (sections) {
            out.println(TerminalText.visible("BACKENDS (" + reviewed.size() + ")"));
            reviewed.forEach(r -> out.println(TerminalText.visible("  " + r.backend().label())));
            out.println();
        }
        for (String environment : environments.isEmpty() ? List.of("") : environments) {
            String in = environment.isEmpty() ? null : environment;
            if (sections) {
                out.println(TerminalText.visible("=== " + environment + " ==="));
            }
            table(rows(reviewed, in, Reviewed::locks), rows(reviewed, in, Reviewed::digests),
                    rows(reviewed, in, Reviewed::findings), rows(reviewed, in, Reviewed::lockFileVersions),
                    reviewed.stream().anyMatch(r -> r.backend().hasLockTable()));
            out.println();
        }
        reviewed.stream().filter(r -> r.versionsNotListed() != null)
                .forEach(r -> out.println(TerminalText.visible("Lock file versions not listed: " + r.versionsNotListed())));
        if (!unreachable.isEmpty()) {
            out.println(TerminalText.visible("NOT REACHED (" + unreachable.size() + ")"));
            unreachable.forEach(line -> out.println(TerminalText.visible("  " + line)));
        }
    }

    private void table(List<Map<String, Object>> locks, List<Map<String, Object>> digests,
                       List<Map<String, Object>> findings, List<Map<String, Object>> lockFileVersions,
                       boolean lockTable) {
        out.println(TerminalText.visible("LOCKS HELD (" + locks.size() + ")"));
        if (!locks.isEmpty()) {
            out.println(TerminalText.visible(String.format("  %-58s %-22s %-22s %-9s %s", "STATE", "WHO", "OPERATION", "AGE", "STATUS")));
        }
        for (Map<String, Object> lock : locks) {
            out.println(TerminalText.visible(String.format("  %-58s %-22s %-22s %-9s %s", lock.get("statePath"), lock.get("who"),
                    lock.get("operation"), Alerts.duration((Long) lock.get("ageSeconds")),
                    Boolean.TRUE.equals(lock.get("stale")) ? "STALE" : "held")));
        }
        out.println();
        if (lockTable) {
            out.println(TerminalText.visible("DIGESTS (" + digests.size() + ")"));
            for (Map<String, Object> digest : digests) {
                out.println(TerminalText.visible(String.format("  %-58s %s", digest.get("statePath"), digest.get("status"))));
            }
            out.println();
        }
        if (!lockFileVersions.isEmpty()) {
            long versions = 0;
            double cost = 0;
            out.println(TerminalText.visible("LOCK FILE VERSIONS KEPT (" + lockFileVersions.size() + " states)"));
            out.println(TerminalText.visible(String.format("  %-58s %10s %10s %12s", "STATE", "VERSIONS", "MARKERS", "PER MONTH")));
            for (Map<String, Object> kept : lockFileVersions) {
                versions += (Integer) kept.get("noncurrentVersions");
                cost += (Double) kept.get("monthlyCostUsd");
                out.println(TerminalText.visible(String.format("  %-58s %10d %10d %12s", kept.get("statePath"), kept.get("noncurrentVersions"),
                        kept.get("deleteMarkers"), ListPrices.dollars((Double) kept.get("monthlyCostUsd")))));
            }
            out.println("  " + versions + " noncurrent lock file versions, " + ListPrices.dollars(cost) + " a month in S3 "
                    + "storage; a lifecycle rule can expire them (docs/operating.md, \"Lock file versions\")");
            out.println();
        }
        if (findings.isEmpty()) {
            out.println(TerminalText.visible("No problems found."));
            return;
        }
        out.println(TerminalText.visible("PROBLEMS (" + findings.size() + ")"));
        for (Map<String, Object> finding : findings) {
            out.println(TerminalText.visible(String.format("  %-22s %s", finding.get("problem"), finding.get("statePath"))));
            out.println(TerminalText.visible(String.format("  %-22s %s", "", finding.get("detail"))));
        }
    }

    /** A progress line on stderr, redrawn in place on a terminal; never on stdout. */
    static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private int lastShown = -1;

        Progress(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        synchronized void update(String what, int done, int total) {
            if (total < 20) {
                return;
            }
            int percent = done * 100 / total;
            if (terminal) {
                int filled = percent / 5;
                err.print("\r" + what + " [" + "#".repeat(filled) + " ".repeat(20 - filled) + "] " + done + "/" + total
                        + (done == total ? "\n" : ""));
            } else if (percent / 10 != lastShown / 10) {
                err.println(what + ": " + done + "/" + total);
            }
            lastShown = done == total ? -1 : percent;
        }
    }
}

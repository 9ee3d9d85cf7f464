package dev.lockauditor.cli.command;

import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.UsageException;
import dev.lockauditor.cli.CommandLine;
import dev.lockauditor.cli.aws.AwsErrors;
import dev.lockauditor.runtime.Backend;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.rules.AuditSettings;
import dev.lockauditor.audit.BackendReview;
import dev.lockauditor.rules.HeldLocks;
import dev.lockauditor.rules.StaleLocks;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbLockTable;
import dev.lockauditor.rules.LockFileVersions;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.cli.aws.ListPrices;
import dev.lockauditor.runtime.CliJson;
import dev.lockauditor.cli.output.TerminalText;
import dev.lockauditor.handler.Components;
import dev.lockauditor.terraform.StateKeys;
import software.amazon.awssdk.services.s3.model.S3Exception;
import dev.lockauditor.config.Config;
import dev.lockauditor.config.Environments;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code audit}: one read-only pass over live backends (one, or one per account with {@code --backend}), with or
 * without a lock table. Every lock held now (stale ones with the command that releases them), lock files left behind,
 * the noncurrent lock file versions a versioned bucket keeps and what they cost; with a lock table, every state's
 * digest checked against its object, digests whose state is gone, states with no digest where the table has digests
 * for others. Exit status 0 when clean, 1 when it found a problem, 2 when it could not look.
 */
public final class AuditCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String lockTable(Backend backend) {
        return backend.hasLockTable() ? backend.table() : null;
    }

    /** One thing found: what, on which state, and the detail a person acts on. */
    record Finding(String problem, String statePath, String detail) {
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
        StaleLocks staleLocks;
        Environments environments;
        try {
            config = Config.from(settings);
            environments = config.environmentsByKey();
            staleLocks = StaleLocks.of(config.timing().staleLockMinutes(), config.timing().staleLockReminderMinutes(),
                    config.timing().staleLockOverrides(), environments);
        } catch (IllegalStateException | MalformedException e) {
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

        S3StateBucket bucket = new S3StateBucket(aws.s3(), bucketName);
        LockTable lockTable = backend.hasLockTable()
                ? new DynamoDbLockTable(aws.dynamoDb(), table, config.watched().workspaceKeyPrefix()) : Components.NO_LOCK_TABLE;
        HeldLocks held = AwsErrors.explain(() -> BackendReview.heldLocks(lockTable, bucket, config.watched().workspaceKeyPrefix()),
                (backend.hasLockTable() ? "dynamodb:Scan on " + table + " and " : "") + "s3:ListBucket on " + bucketName);
        List<String> keys = AwsErrors.explain(() -> bucket.keysEndingWith(""), "s3:ListBucket on " + bucketName);
        LockFilesKept kept = lockFilesKept(bucket);
        Set<String> lockFileStates = new java.util.HashSet<>(kept.stateKeys());
        keys.stream().filter(StateKeys::isLockFile).map(StateKeys::stateKeyOfLockFile).forEach(lockFileStates::add);

        BackendReview review = new BackendReview(staleLocks, AuditSettings.from(config));
        Alerts words = new Alerts(backend.hasLockTable() ? table : "");
        List<Finding> findings = new ArrayList<>();
        Set<String> stale = new LinkedHashSet<>();
        for (BackendReview.StaleLock found : review.staleLocks(held, now)) {
            stale.add(found.lock().info().id());
            findings.add(finding(found, words));
        }
        List<Map<String, Object>> lockRows = new ArrayList<>();
        for (HeldLocks.Lock lock : held.locks().values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("statePath", lock.state().path());
            row.put("lockId", lock.info().id());
            row.put("who", lock.info().who());
            row.put("operation", lock.info().operation());
            row.put("ageSeconds", Math.max(0, Duration.between(lock.created(), now).getSeconds()));
            row.put("kinds", List.copyOf(lock.kinds()));
            row.put("stale", stale.contains(lock.info().id()));
            lockRows.add(placed(row, environments, lock.state(), backend));
        }
        List<Map<String, Object>> digestRows = new ArrayList<>();
        for (Map<String, Object> row : verify(bucket, held.digests(), parallel, words, now,
                Duration.ofSeconds(config.timing().digestGraceSeconds()), findings)) {
            digestRows.add(placed(row, environments, (StatePath) row.remove("state"), backend));
        }
        review.missingDigests(held, keys, bucket, lockFileStates).forEach(missing -> findings.add(finding(missing, words)));
        AuditSettings auditSettings = AuditSettings.from(config);
        Set<String> stateKeys = new java.util.TreeSet<>(lockFileStates);
        held.digests().keySet().forEach(state -> stateKeys.add(state.key()));
        keys.stream().filter(auditSettings::namedAsState).forEach(stateKeys::add);
        stateKeys.retainAll(keys.stream().filter(auditSettings::mayBeState).toList());
        readStates(bucket, stateKeys.stream().map(key -> statePath(StateKeys.lockPath(bucketName, key), config)).toList(),
                table, parallel, findings);
        List<Map<String, Object>> findingRows = new ArrayList<>();
        for (Finding finding : findings) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("problem", finding.problem());
            row.put("statePath", finding.statePath());
            row.put("detail", finding.detail());
            findingRows.add(placed(row, environments, statePath(finding.statePath(), config), backend));
        }
        List<Map<String, Object>> versionRows = new ArrayList<>();
        for (LockFileVersions.Kept lockFile : kept.perState()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("statePath", StateKeys.lockPath(bucketName, lockFile.stateKey()));
            row.put("noncurrentVersions", lockFile.noncurrentVersions());
            row.put("deleteMarkers", lockFile.deleteMarkers());
            row.put("bytes", lockFile.bytes());
            row.put("monthlyCostUsd", ListPrices.S3_STANDARD_GB_MONTH * lockFile.bytes() / ListPrices.GB);
            versionRows.add(placed(row, environments, statePath((String) row.get("statePath"), config), backend));
        }
        return new Reviewed(backend, lockRows, digestRows, findingRows, versionRows, kept.notListed(),
                environments.names());
    }

    /**
     * What the bucket keeps of the lock files: their versions, when it is versioned (a bucket that never was lists
     * none), or why they could not be listed.
     */
    private record LockFilesKept(List<LockFileVersions.Kept> perState, Set<String> stateKeys, String notListed) {
    }

    private LockFilesKept lockFilesKept(S3StateBucket bucket) {
        List<StateBucket.Version> lockFiles = new ArrayList<>();
        try {
            String keyMarker = null;
            String versionIdMarker = null;
            do {
                StateBucket.VersionPage page = bucket.versions("", keyMarker, versionIdMarker);
                page.versions().stream().filter(version -> StateKeys.isLockFile(version.key())).forEach(lockFiles::add);
                keyMarker = page.nextKeyMarker();
                versionIdMarker = page.nextVersionIdMarker();
            } while (keyMarker != null);
        } catch (S3Exception e) {
            if (e.statusCode() != 403) {
                throw e;
            }
            return new LockFilesKept(List.of(), Set.of(), "s3:ListBucketVersions on " + bucket.name() + " is denied");
        }
        Set<String> states = new java.util.HashSet<>();
        lockFiles.forEach(version -> states.add(StateKeys.stateKeyOfLockFile(version.key())));
        return new LockFilesKept(LockFileVersions.of(lockFiles), states, null);
    }

    /** A row with the environment its state is in, and the backend it was found in. */
    private static Map<String, Object> placed(Map<String, Object> row, Environments environments, StatePath state,
                                              Backend backend) {
        row.put("environment", environments.of(state));
        row.put("lockTable", backend.table());
        row.put("stateBucket", backend.bucket());
        return row;
    }

    private static StatePath statePath(String lockPath, Config config) {
        try {
            return StatePath.parse(lockPath, config.watched().workspaceKeyPrefix());
        } catch (MalformedException e) {
            throw new IllegalStateException("a finding on a state that has no lock path: " + lockPath);
        }
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

    /** Every digest against its object's MD5 (the ETag when it is one, else the object streamed), in parallel. */
    private List<Map<String, Object>> verify(StateBucket bucket, Map<StatePath, String> digests, int parallel, Alerts words,
                                             Instant now, Duration grace, List<Finding> findings) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BackendReview.DigestState state : inParallel(new ArrayList<>(digests.entrySet()), parallel,
                "verifying digests", bucket, digest -> BackendReview.digest(bucket, digest.getKey(), digest.getValue(),
                        true, now, grace))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("state", state.state());
            row.put("statePath", state.state().path());
            row.put("digest", state.digest());
            if (state.objectMd5() != null) {
                row.put("objectMd5", state.objectMd5());
            }
            row.put("status", switch (state.status()) {
                case ORPHANED -> "ORPHANED_DIGEST";
                case MISMATCH -> "DIGEST_MISMATCH";
                case UNREADABLE -> "UNREADABLE (" + state.unreadable() + ")";
                default -> state.status().name();
            });
            rows.add(row);
            state.finding().ifPresent(found -> findings.add(finding(found, words)));
        }
        return rows;
    }

    /** Every state's current object read as the state events read a write: what Terraform cannot load is a finding. */
    private void readStates(StateBucket bucket, List<StatePath> states, String lockTable, int parallel,
                            List<Finding> findings) {
        for (Optional<BackendReview.UnreadableState> unreadable : inParallel(states, parallel, "reading states", bucket,
                state -> BackendReview.reading(bucket, state, lockTable))) {
            unreadable.ifPresent(found -> findings.add(finding(found, new Alerts(lockTable))));
        }
    }

    /** One piece of work per item, {@code parallel} at a time, with a progress line; results in the items' order. */
    private <T, R> List<R> inParallel(List<T> items, int parallel, String what, StateBucket bucket,
                                      java.util.function.Function<T, R> work) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger done = new AtomicInteger();
        Progress progress = new Progress(err, terminal, what, items.size());
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> {
                    R result = work.apply(item);
                    progress.update(done.incrementAndGet());
                    return result;
                }));
            }
            List<R> results = new ArrayList<>();
            for (Future<R> future : futures) {
                results.add(future.get());
            }
            progress.finish();
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return AwsErrors.explain(() -> {
                throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
            }, "s3:GetObject on " + bucket.name() + "/*");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A finding as the report names it, with the detail a person acts on: a stale lock's and an orphaned digest's in
     * the words (and commands) of the alert the stack raises for it.
     */
    private static Finding finding(BackendReview.Finding found, Alerts words) {
        String path = found.state().path();
        if (found instanceof BackendReview.StaleLock stale) {
            Alert.Draft alert = words.staleLock(stale.state(), stale.lock().info(), stale.heldForSeconds(),
                    stale.threshold(), false);
            return new Finding(stale.lockFileOnly() ? "LOCK_FILE_LEFT_BEHIND" : "STALE_LOCK", path,
                    alert.summary() + ". " + alert.remediation());
        } else if (found instanceof BackendReview.OrphanedDigest orphaned) {
            Alert.Draft alert = words.orphanedDigest(orphaned.state(), orphaned.digest());
            return new Finding("ORPHANED_DIGEST", path, alert.summary() + ". " + alert.remediation());
        } else if (found instanceof BackendReview.UnreadableState unreadable) {
            return new Finding("STATE_UNREADABLE", path, "not a state Terraform or OpenTofu would load: "
                    + unreadable.reason() + " (" + unreadable.found() + "); " + (unreadable.restore() == null
                    ? "no earlier version of it reads as a state (or the bucket is not versioned): restore it from a backup"
                    : "the last readable version is " + unreadable.restore().versionId() + ": "
                            + String.join(" && ", unreadable.restore().commands())));
        } else if (found instanceof BackendReview.DigestMismatch mismatch) {
            return new Finding("DIGEST_MISMATCH", path, "the table expects " + mismatch.expected()
                    + ", the object's MD5 is " + mismatch.actual());
        }
        return new Finding("MISSING_DIGEST", path, "the lock table has digests for other states but none for this one; "
                + "expected if this state is locked by lock files alone (use_lockfile without dynamodb_table)");
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
        private final String what;
        private final int total;
        private int lastShown = -1;

        Progress(PrintStream err, boolean terminal, String what, int total) {
            this.err = err;
            this.terminal = terminal;
            this.what = what;
            this.total = total;
        }

        synchronized void update(int done) {
            if (total < 20) {
                return;
            }
            int percent = done * 100 / total;
            if (terminal) {
                int filled = percent / 5;
                err.print("\r" + what + " [" + "#".repeat(filled) + " ".repeat(20 - filled) + "] " + done + "/" + total);
            } else if (percent / 10 != lastShown / 10) {
                err.println(what + ": " + done + "/" + total);
            }
            lastShown = percent;
        }

        synchronized void finish() {
            if (terminal && total >= 20) {
                err.println();
            }
        }
    }
}

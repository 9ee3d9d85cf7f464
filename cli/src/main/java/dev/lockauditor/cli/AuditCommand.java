package dev.lockauditor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.audit.AuditSettings;
import dev.lockauditor.audit.DigestVerifier;
import dev.lockauditor.audit.HeldLocks;
import dev.lockauditor.audit.StaleLocks;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.DynamoDbLockTable;
import dev.lockauditor.aws.S3StateBucket;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.config.Config;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateHeader;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code audit}: one read-only pass over a live backend. Every lock held now (stale ones with the command that
 * releases them), every state's digest checked against its object, digests whose state is gone, states with no
 * digest where the table has digests for others, lock files left behind. Exit status 0 when clean, 1 when it
 * found a problem, 2 when it could not look.
 */
final class AuditCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One thing found: what, on which state, and the detail a person acts on. */
    record Finding(String problem, String statePath, String detail) {
    }

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    AuditCommand(Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    int run(List<String> args) {
        Map<String, String> settings = new HashMap<>(env);
        boolean json = false;
        int parallel = 4;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--json" -> json = true;
                case "--table", "--bucket", "--parallel" -> {
                    if (i + 1 >= args.size()) {
                        throw new Main.UsageException(arg + " needs a value");
                    }
                    String value = args.get(++i);
                    if (arg.equals("--table")) {
                        settings.put("LOCK_TABLE", value);
                    } else if (arg.equals("--bucket")) {
                        settings.put("STATE_BUCKET", value);
                    } else {
                        try {
                            parallel = Math.max(1, Integer.parseInt(value));
                        } catch (NumberFormatException e) {
                            throw new Main.UsageException("--parallel takes a whole number");
                        }
                    }
                }
                default -> throw new Main.UsageException("audit: unknown option '" + arg + "'");
            }
        }
        Config config;
        StaleLocks staleLocks;
        try {
            config = Config.from(settings);
            staleLocks = StaleLocks.of(config.staleLockMinutes(), config.staleLockReminderMinutes(),
                    config.staleLockOverrides());
        } catch (IllegalStateException | MalformedException e) {
            throw new Main.SetupException(e.getMessage());
        }
        if (config.lockTable().isBlank() || config.stateBucket().isBlank()) {
            throw new Main.UsageException("audit needs the lock table and the state bucket: --table and --bucket, "
                    + "or LOCK_TABLE and STATE_BUCKET");
        }
        AwsClients aws = LocalResources.clients(settings);
        String table = config.lockTable();
        String bucketName = config.stateBucket();
        AwsErrors.explain(() -> {
            boolean lockId = aws.dynamoDb().describeTable(b -> b.tableName(table)).table().keySchema().stream()
                    .anyMatch(k -> k.attributeName().equals("LockID"));
            if (!lockId) {
                throw new Main.SetupException("table '" + table + "' has no LockID key: not a Terraform lock table");
            }
            return null;
        }, "dynamodb:DescribeTable on " + table);
        AwsErrors.explain(() -> aws.s3().headBucket(b -> b.bucket(bucketName)), "s3:ListBucket on " + bucketName);

        S3StateBucket bucket = new S3StateBucket(aws.s3(), bucketName);
        HeldLocks held = AwsErrors.explain(() -> HeldLocks.read(
                new DynamoDbLockTable(aws.dynamoDb(), table, config.workspaceKeyPrefix()), bucket,
                config.workspaceKeyPrefix()), "dynamodb:Scan on " + table + " and s3:ListBucket on " + bucketName);
        List<String> keys = AwsErrors.explain(() -> bucket.keysEndingWith(""), "s3:ListBucket on " + bucketName);
        Instant now = Instant.now();

        List<Finding> findings = new ArrayList<>();
        List<Map<String, Object>> lockRows = new ArrayList<>();
        for (HeldLocks.Lock lock : held.locks().values()) {
            Instant created = lock.created();
            boolean stale = staleLocks.isStale(lock.state(), created, now);
            long age = Duration.between(created, now).getSeconds();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("statePath", lock.state().path());
            row.put("lockId", lock.info().id());
            row.put("who", lock.info().who());
            row.put("operation", lock.info().operation());
            row.put("ageSeconds", age);
            row.put("kinds", List.copyOf(lock.kinds()));
            row.put("stale", stale);
            lockRows.add(row);
            if (stale) {
                String unlock = "terraform force-unlock " + lock.info().id();
                findings.add(new Finding(lock.kinds().equals(Set.of("s3")) ? "LOCK_FILE_LEFT_BEHIND" : "STALE_LOCK",
                        lock.state().path(), "held " + Alerts.duration(age) + " by " + lock.info().who()
                        + "; if they are gone: " + unlock));
            }
        }

        AuditSettings auditSettings = AuditSettings.from(config);
        List<Map<String, Object>> digestRows = verify(bucket, held.digests(), parallel, findings);
        if (!held.digests().isEmpty()) {
            Set<String> withDigest = new LinkedHashSet<>();
            held.digests().keySet().forEach(state -> withDigest.add(state.key()));
            for (String key : keys) {
                if (auditSettings.mayBeState(key) && !withDigest.contains(key) && isState(bucket, key)) {
                    findings.add(new Finding("MISSING_DIGEST", StateKeys.lockPath(bucketName, key),
                            "the lock table has digests for other states but none for this one"));
                }
            }
        }

        if (json) {
            ObjectNode report = JSON.createObjectNode().put("lockTable", table).put("stateBucket", bucketName)
                    .put("clean", findings.isEmpty());
            report.set("locks", JSON.valueToTree(lockRows));
            report.set("digests", JSON.valueToTree(digestRows));
            ArrayNode problems = report.putArray("findings");
            findings.forEach(f -> problems.addObject().put("problem", f.problem()).put("statePath", f.statePath())
                    .put("detail", f.detail()));
            out.println(report.toPrettyString());
        } else {
            table(lockRows, digestRows, findings);
        }
        return findings.isEmpty() ? 0 : 1;
    }

    /** Every digest against its object's MD5 (the ETag when it is one, else the object streamed), in parallel. */
    private List<Map<String, Object>> verify(StateBucket bucket, Map<StatePath, String> digests, int parallel,
                                             List<Finding> findings) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger done = new AtomicInteger();
        Progress progress = new Progress(err, terminal, "verifying digests", digests.size());
        try {
            List<Future<Map<String, Object>>> rows = new ArrayList<>();
            for (Map.Entry<StatePath, String> digest : digests.entrySet()) {
                rows.add(pool.submit(() -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("statePath", digest.getKey().path());
                    row.put("digest", digest.getValue());
                    try {
                        Optional<ObjectHead> head = bucket.head(digest.getKey().key());
                        if (head.isEmpty()) {
                            row.put("status", "ORPHANED_DIGEST");
                        } else {
                            String md5 = DigestVerifier.md5(bucket, head.get()).orElse(null);
                            row.put("objectMd5", md5);
                            row.put("status", digest.getValue().equals(md5) ? "OK" : "DIGEST_MISMATCH");
                        }
                    } catch (StateBucket.Unreadable e) {
                        row.put("status", "UNREADABLE (" + e.getMessage() + ")");
                    }
                    progress.update(done.incrementAndGet());
                    return row;
                }));
            }
            List<Map<String, Object>> result = new ArrayList<>();
            for (Future<Map<String, Object>> row : rows) {
                Map<String, Object> value = row.get();
                result.add(value);
                String status = value.get("status").toString();
                if (status.equals("ORPHANED_DIGEST")) {
                    findings.add(new Finding(status, value.get("statePath").toString(),
                            "the state object is gone; if on purpose, delete the item " + value.get("statePath") + "-md5"));
                } else if (status.equals("DIGEST_MISMATCH")) {
                    findings.add(new Finding(status, value.get("statePath").toString(), "the table expects "
                            + value.get("digest") + ", the object's MD5 is " + value.get("objectMd5")));
                }
            }
            progress.finish();
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.SetupException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return AwsErrors.explain(() -> {
                throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
            }, "s3:GetObject on " + bucket.name() + "/*");
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean isState(StateBucket bucket, String key) {
        try {
            Optional<byte[]> prefix = bucket.prefix(key, null, StateHeader.PREFIX_BYTES);
            return prefix.isPresent() && StateHeader.parse(prefix.get()) != null;
        } catch (MalformedException | StateBucket.Unreadable e) {
            return false;
        }
    }

    private void table(List<Map<String, Object>> locks, List<Map<String, Object>> digests, List<Finding> findings) {
        out.println("LOCKS HELD (" + locks.size() + ")");
        if (!locks.isEmpty()) {
            out.println(String.format("  %-58s %-22s %-22s %-9s %s", "STATE", "WHO", "OPERATION", "AGE", "STATUS"));
        }
        for (Map<String, Object> lock : locks) {
            out.println(String.format("  %-58s %-22s %-22s %-9s %s", lock.get("statePath"), lock.get("who"),
                    lock.get("operation"), Alerts.duration((Long) lock.get("ageSeconds")),
                    Boolean.TRUE.equals(lock.get("stale")) ? "STALE" : "held"));
        }
        out.println();
        out.println("DIGESTS (" + digests.size() + ")");
        for (Map<String, Object> digest : digests) {
            out.println(String.format("  %-58s %s", digest.get("statePath"), digest.get("status")));
        }
        out.println();
        if (findings.isEmpty()) {
            out.println("No problems found.");
            return;
        }
        out.println("PROBLEMS (" + findings.size() + ")");
        for (Finding finding : findings) {
            out.println(String.format("  %-22s %s%n  %-22s %s", finding.problem(), finding.statePath(), "",
                    finding.detail()));
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

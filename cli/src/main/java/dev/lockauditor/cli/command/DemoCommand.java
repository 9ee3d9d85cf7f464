package dev.lockauditor.cli.command;

import dev.lockauditor.cli.Main;
import dev.lockauditor.cli.aws.LocalResources;
import dev.lockauditor.cli.aws.MotoProcess;
import dev.lockauditor.cli.aws.TerraformS3Backend;
import dev.lockauditor.cli.output.Lines;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.terraform.LockInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code local --demo}: the auditor watching a Terraform backend on moto while a team's day is replayed on it,
 * thresholds shortened so that every alert shows within a minute or two. It needs no AWS account: with no
 * {@code AWS_ENDPOINT_URL} it starts moto_server itself, and stops it at the end.
 */
public final class DemoCommand {

    /** The alerts the replayed day must raise; the demo ends once they are all out. */
    public static final Set<String> EXPECTED = Set.of("STALE_LOCK", "UNLOCKED_WRITE", "DIGEST_MISMATCH", "SERIAL_REGRESSION");
    static final Duration LONGEST = Duration.ofMinutes(4);

    private final Map<String, String> env;
    private final PrintStream err;
    private final PrintStream logs;

    DemoCommand(Map<String, String> env, PrintStream err, PrintStream logs) {
        this.env = env;
        this.err = err;
        this.logs = logs;
    }

    int run(LocalCommand.Options options, Lines lines) {
        Map<String, String> settings = new HashMap<>(env);
        MotoProcess moto = null;
        if (settings.getOrDefault("AWS_ENDPOINT_URL", "").isBlank()) {
            moto = MotoProcess.start();
            settings.put("AWS_ENDPOINT_URL", moto.endpoint());
            err.println("lock-auditor: started moto_server at " + moto.endpoint());
        }
        try {
            return play(settings, options, lines);
        } finally {
            if (moto != null) {
                moto.close();
            }
        }
    }

    private int play(Map<String, String> settings, LocalCommand.Options options, Lines lines) {
        settings.putIfAbsent("AWS_REGION", "us-east-1");
        settings.putIfAbsent("AWS_ACCESS_KEY_ID", "testing");
        settings.putIfAbsent("AWS_SECRET_ACCESS_KEY", "testing");
        settings.put("LOCK_TABLE", "demo-terraform-locks");
        settings.put("STATE_BUCKET", "demo-tfstate");
        settings.put("HISTORY_TABLE", "demo-lock-history");
        settings.put("ENVIRONMENT_NAME", "demo");
        settings.put("STALE_LOCK_MINUTES", "1");
        settings.put("DIGEST_GRACE_SECONDS", "5");
        settings.put("LOCK_EVENT_LAG_SECONDS", "5");
        AwsClients aws = LocalResources.clients(settings);
        if (!LocalResources.isLoopback(aws.endpoint())) {
            throw new Main.SetupException("the demo creates a backend: it runs only against an emulator on this machine, "
                    + "not " + aws.endpoint());
        }
        TerraformS3Backend backend = new TerraformS3Backend(aws, settings.get("STATE_BUCKET"), settings.get("LOCK_TABLE"));
        backend.createLockTable(software.amazon.awssdk.services.dynamodb.model.StreamViewType.NEW_AND_OLD_IMAGES)
                .createBucket();

        Set<String> raised = ConcurrentHashMap.newKeySet();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch allRaised = new CountDownLatch(1);
        Lines watching = (record, fields) -> {
            lines.print(record, fields);
            if (record.equals("ready")) {
                ready.countDown();
            } else if (record.equals("alert")) {
                raised.add(String.valueOf(fields.get("type")));
                if (raised.containsAll(EXPECTED)) {
                    allRaised.countDown();
                }
            }
        };
        Duration duration = options.duration() == null ? LONGEST : options.duration();
        LocalCommand.Options demo = new LocalCommand.Options(duration, Duration.ofSeconds(5), null, false, false);
        Thread auditor = new Thread(() -> new LocalCommand(settings, watching, err, logs).watch(demo),
                "lock-auditor-demo");
        auditor.setDaemon(true);
        auditor.start();
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new Main.SetupException("the auditor did not attach to the demo backend within a minute");
            }
            new TeamDay(backend).replay();
            allRaised.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            Thread.sleep(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            auditor.interrupt();
            try {
                auditor.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> missing = EXPECTED.stream().filter(type -> !raised.contains(type)).sorted().toList();
        err.println(missing.isEmpty() ? "lock-auditor: demo over: every alert of the day was raised"
                : "lock-auditor: demo stopped before these alerts were raised: " + String.join(", ", missing));
        return 0;
    }

    /** A team's day on the backend, compressed into a minute. */
    public static final class TeamDay {

        private static final String LINEAGE_NETWORK = "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13";
        private static final String LINEAGE_PROD = "0b9f6a3e-1d2c-4e5f-8a7b-6c5d4e3f2a1b";
        private static final String LINEAGE_DNS = "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716";
        private static final String LINEAGE_SANDBOX = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

        private final TerraformS3Backend backend;

        TeamDay(TerraformS3Backend backend) {
            this.backend = backend;
        }

        void replay() throws InterruptedException {
            // Morning: clean applies from CI in two workspaces.
            apply("env:/staging/network/terraform.tfstate", 1, LINEAGE_NETWORK, "ci@runner-3a1f");
            apply("env:/production/network/terraform.tfstate", 5, LINEAGE_PROD, "ci@runner-3a1f");
            // A CI job killed mid-apply a while ago: its lock stays (stale after a minute in the demo).
            backend.lock("env:/production/database/terraform.tfstate", "OperationTypeApply", "ci@runner-9c2e",
                    Instant.now().minusSeconds(45));
            pause();
            // Someone works around a lock with -lock=false.
            String unlocked = "env:/staging/network/terraform.tfstate";
            backend.putDigest(unlocked, backend.putState(unlocked, state(2, LINEAGE_NETWORK)));
            pause();
            // An apply whose digest write fails: the digest is left from the apply before.
            String dns = "env:/staging/dns/terraform.tfstate";
            apply(dns, 1, LINEAGE_DNS, "ci@runner-3a1f");
            LockInfo lock = backend.lock(dns, "OperationTypeApply", "ci@runner-3a1f");
            backend.putState(dns, state(2, LINEAGE_DNS));
            backend.unlock(dns, lock.id());
            pause();
            // An old copy of the production state is pushed back: terraform state push of serial 4.
            String prod = "env:/production/network/terraform.tfstate";
            LockInfo push = backend.lock(prod, "state-push", "alice@laptop-alice");
            backend.putDigest(prod, backend.putState(prod, state(4, LINEAGE_PROD)));
            backend.unlock(prod, push.id());
            pause();
            // A sandbox on S3 lock files alone (use_lockfile = true): clean.
            String sandbox = "sandbox/terraform.tfstate";
            backend.lockFile(sandbox, "bob@laptop-bob");
            Thread.sleep(2_000);
            backend.putState(sandbox, state(1, LINEAGE_SANDBOX));
            backend.unlockFile(sandbox);
        }

        private void apply(String key, long serial, String lineage, String who) throws InterruptedException {
            LockInfo lock = backend.lock(key, "OperationTypeApply", who);
            backend.putDigest(key, backend.putState(key, state(serial, lineage)));
            backend.unlock(key, lock.id());
            pause();
        }

        private static void pause() throws InterruptedException {
            Thread.sleep(1_500);
        }

        public static String state(long serial, String lineage) {
            return "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": " + serial
                    + ",\n  \"lineage\": \"" + lineage + "\",\n  \"outputs\": {},\n  \"resources\": [],\n"
                    + "  \"check_results\": null\n}\n";
        }
    }
}

package dev.lockauditor.cli.command;

import dev.lockauditor.runtime.SetupException;
import dev.lockauditor.runtime.LocalResources;
import dev.lockauditor.runtime.MotoProcess;
import dev.lockauditor.runtime.TerraformS3Backend;
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

    /** The alerts the replayed day must raise, each as its type and state key; the demo ends once they are all out. */
    public static final Set<String> EXPECTED = Set.of(
            "STALE_LOCK env:/production/database/terraform.tfstate",
            "UNLOCKED_WRITE env:/staging/network/terraform.tfstate",
            "CALLER_IDENTIFIED env:/staging/network/terraform.tfstate",
            "LOCK_FORCE_RELEASED env:/staging/queue/terraform.tfstate",
            "DIGEST_MISMATCH env:/staging/dns/terraform.tfstate",
            "SERIAL_REGRESSION env:/production/network/terraform.tfstate",
            "STALE_LOCK sandbox/queue/terraform.tfstate",
            // The first sweep's backfill: the demo's bucket keeps no versions, so it has no history to reconstruct.
            "BACKFILL_COMPLETED ");
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
        settings.put("CALLER_ENRICHMENT", "on");
        AwsClients aws = LocalResources.clients(settings);
        if (!LocalResources.isLoopback(aws.endpoint())) {
            throw new SetupException("the demo creates a backend: it runs only against an emulator on this machine, "
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
                raised.add(fields.get("type") + " " + fields.get("key"));
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
                throw new SetupException("the auditor did not attach to the demo backend within a minute");
            }
            String queueUrl = aws.sqs().getQueueUrl(b -> b.queueName(LocalResources.DEFAULT_STATE_EVENTS_QUEUE)).queueUrl();
            new TeamDay(backend, record -> aws.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(record))).replay();
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
        /** Where CloudTrail's records go (moto emits none: the demo replays them, shaped as EventBridge delivers them). */
        private final java.util.function.Consumer<String> cloudTrail;

        TeamDay(TerraformS3Backend backend, java.util.function.Consumer<String> cloudTrail) {
            this.backend = backend;
            this.cloudTrail = cloudTrail;
        }

        void replay() throws InterruptedException {
            // Morning: clean applies from CI in two workspaces.
            apply("env:/staging/network/terraform.tfstate", 1, LINEAGE_NETWORK, "ci@runner-3a1f");
            apply("env:/production/network/terraform.tfstate", 5, LINEAGE_PROD, "ci@runner-3a1f");
            // A CI job killed mid-apply a while ago: its lock stays (stale after a minute in the demo).
            backend.lock("env:/production/database/terraform.tfstate", "OperationTypeApply", "ci@runner-9c2e",
                    Instant.now().minusSeconds(45));
            pause();
            // Someone works around a lock with -lock=false; CloudTrail's record of the write comes a little later.
            String unlocked = "env:/staging/network/terraform.tfstate";
            Instant written = Instant.now();
            backend.putDigest(unlocked, backend.putState(unlocked, state(2, LINEAGE_NETWORK)));
            Thread.sleep(7_000);
            cloudTrail.accept(CloudTrailRecords.s3("PutObject", backend.bucket, unlocked, written,
                    "arn:aws:sts::123456789012:assumed-role/developer/dave", "203.0.113.42",
                    "[aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/command#s3.cp]"));
            pause();
            // A lock released from another machine: terraform force-unlock by someone else while the apply ran.
            String queue = "env:/staging/queue/terraform.tfstate";
            Instant taken = Instant.now();
            LockInfo held = backend.lock(queue, "OperationTypeApply", "ci@runner-5d2b");
            cloudTrail.accept(CloudTrailRecords.item("PutItem", backend.lockTable, backend.lockPath(queue), taken,
                    "arn:aws:sts::123456789012:assumed-role/ci/runner-5d2b", "198.51.100.7", CloudTrailRecords.TERRAFORM));
            pause();
            Instant forced = Instant.now();
            backend.unlock(queue, held.id());
            cloudTrail.accept(CloudTrailRecords.item("DeleteItem", backend.lockTable, backend.lockPath(queue), forced,
                    "arn:aws:sts::123456789012:assumed-role/platform-admin/erin", "192.0.2.44", CloudTrailRecords.TERRAFORM));
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
            // The sandbox team, on S3 lock files alone (use_lockfile = true, no lock table, no digest): a clean apply,
            // then a plan killed on a laptop that leaves its lock file behind (stale after a minute in the demo).
            String sandbox = "sandbox/terraform.tfstate";
            backend.lockFile(sandbox, "bob@laptop-bob");
            Thread.sleep(2_000);
            backend.putState(sandbox, state(1, LINEAGE_SANDBOX));
            backend.unlockFile(sandbox);
            backend.lockFile("sandbox/queue/terraform.tfstate", "bob@laptop-bob", Instant.now().minusSeconds(50));
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

    /**
     * CloudTrail data events as EventBridge delivers them ({@code "detail-type": "AWS API Call via CloudTrail"}), in
     * the shape of the samples in {@code events/} (events/README.md gives their sources), for the demo to replay.
     */
    static final class CloudTrailRecords {

        static final String TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.11.2 (+https://www.terraform.io) "
                + "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3";
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        static String s3(String operation, String bucket, String key, Instant at, String principalArn, String sourceIp,
                         String userAgent) {
            com.fasterxml.jackson.databind.node.ObjectNode parameters = JSON.createObjectNode()
                    .put("bucketName", bucket).put("Host", bucket + ".s3.amazonaws.com").put("key", key);
            return envelope("aws.s3", "s3.amazonaws.com", operation, at, principalArn, sourceIp, userAgent, parameters,
                    java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase());
        }

        static String item(String operation, String table, String lockId, Instant at, String principalArn,
                           String sourceIp, String userAgent) {
            com.fasterxml.jackson.databind.node.ObjectNode parameters = JSON.createObjectNode().put("tableName", table);
            parameters.putObject("key").put("LockID", lockId);
            return envelope("aws.dynamodb", "dynamodb.amazonaws.com", operation, at, principalArn, sourceIp, userAgent,
                    parameters, java.util.UUID.randomUUID().toString().replace("-", "").toUpperCase());
        }

        private static String envelope(String source, String eventSource, String operation, Instant at,
                                       String principalArn, String sourceIp, String userAgent,
                                       com.fasterxml.jackson.databind.node.ObjectNode parameters, String requestId) {
            String time = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            com.fasterxml.jackson.databind.node.ObjectNode event = JSON.createObjectNode()
                    .put("version", "0").put("id", java.util.UUID.randomUUID().toString())
                    .put("detail-type", "AWS API Call via CloudTrail").put("source", source)
                    .put("account", "123456789012").put("time", time).put("region", "us-east-1");
            event.putArray("resources");
            com.fasterxml.jackson.databind.node.ObjectNode detail = event.putObject("detail").put("eventVersion", "1.09");
            detail.putObject("userIdentity").put("type", "AssumedRole").put("arn", principalArn)
                    .put("accountId", "123456789012");
            detail.put("eventTime", time).put("eventSource", eventSource).put("eventName", operation)
                    .put("awsRegion", "us-east-1").put("sourceIPAddress", sourceIp).put("userAgent", userAgent);
            detail.set("requestParameters", parameters);
            detail.putNull("responseElements");
            detail.put("requestID", requestId).put("eventID", java.util.UUID.randomUUID().toString())
                    .put("readOnly", false).put("eventType", "AwsApiCall").put("managementEvent", false)
                    .put("recipientAccountId", "123456789012").put("eventCategory", "Data");
            return event.toString();
        }
    }
}

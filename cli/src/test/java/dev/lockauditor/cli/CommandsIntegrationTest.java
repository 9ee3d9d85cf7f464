package dev.lockauditor.cli;

import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.cli.command.DemoCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.terraform.LockInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** {@code local --demo}, {@code audit} and {@code history} end to end on moto. */
class CommandsIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static int run;

    record Result(int status, OutputLines out, OutputLines err) {
        String stdout() {
            return String.join("\n", out.all());
        }

        String stderr() {
            return String.join("\n", err.all());
        }
    }

    static Result main(Map<String, String> env, String... args) {
        OutputLines out = new OutputLines();
        OutputLines err = new OutputLines();
        int status = Main.run(List.of(args), env, out.stream, err.stream);
        return new Result(status, out, err);
    }

    static String state(long serial, String lineage) {
        return DemoCommand.TeamDay.state(serial, lineage);
    }

    @Test
    void onATerminalTheDemoShowsTheTimelineAndPutsLogsAndMetricsInAFileItNames() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(MotoServer.environment());
        env.remove("AWS_ENDPOINT_URL");
        OutputLines out = new OutputLines();
        OutputLines err = new OutputLines();

        int status = Main.run(List.of("local", "--demo"), env, out.stream, err.stream, true);

        assertEquals(0, status, String.join("\n", err.all()));
        assertTrue(out.all().stream().anyMatch(l -> l.contains("UNLOCKED_WRITE")), String.join("\n", out.all()));
        for (String line : out.all()) {
            assertFalse(line.strip().startsWith("{"), "no JSON in the timeline: " + line);
        }
        for (String line : err.all()) {
            assertFalse(line.strip().startsWith("{"), "no JSON on stderr: " + line);
        }
        String named = err.all().stream().filter(l -> l.contains("logs and metrics go to ")).findFirst().orElseThrow();
        java.nio.file.Path file = java.nio.file.Path.of(named.substring(named.indexOf(" go to ") + 7, named.indexOf(" (--verbose")));
        String logs = java.nio.file.Files.readString(file);
        assertTrue(logs.contains("\"CloudWatchMetrics\""), "the metrics are in the file");
        java.nio.file.Files.delete(file);
    }

    @Test
    void theDemoRaisesEveryAlertOfTheDayAndNothingElseThenAuditAndHistoryReadItsBackend() throws Exception {
        Map<String, String> env = MotoServer.environment();

        Result demo = main(env, "local", "--demo", "--format", "json", "--duration", "150");

        assertEquals(0, demo.status(), demo.stderr());
        List<JsonNode> alerts = demo.out().matching(OutputLines.record("alert"));
        assertEquals(DemoCommand.EXPECTED, alerts.stream().map(a -> a.get("type").asText() + " " + a.get("key").asText())
                .collect(Collectors.toSet()));
        assertEquals(DemoCommand.EXPECTED.size(), alerts.size(), "no alert on the clean applies or the lock-file-only apply");
        assertTrue(demo.stderr().contains("demo over: every alert of the day was raised"));

        Map<String, String> demoBackend = MotoServer.environment();
        demoBackend.put("STALE_LOCK_MINUTES", "1");
        demoBackend.put("DIGEST_GRACE_SECONDS", "5");
        Result audit = main(demoBackend, "audit", "--table", "demo-terraform-locks", "--bucket", "demo-tfstate", "--json");
        assertEquals(1, audit.status(), audit.stderr());
        JsonNode report = JSON.readTree(audit.stdout());
        Set<String> problems = java.util.stream.StreamSupport.stream(report.get("findings").spliterator(), false)
                .map(f -> f.get("problem").asText() + " " + f.get("statePath").asText()).collect(Collectors.toSet());
        assertEquals(Set.of("STALE_LOCK demo-tfstate/env:/production/database/terraform.tfstate",
                "DIGEST_MISMATCH demo-tfstate/env:/staging/dns/terraform.tfstate",
                "LOCK_FILE_LEFT_BEHIND demo-tfstate/sandbox/queue/terraform.tfstate",
                "MISSING_DIGEST demo-tfstate/sandbox/terraform.tfstate"), problems);
        String mismatch = java.util.stream.StreamSupport.stream(report.get("findings").spliterator(), false)
                .filter(f -> f.get("problem").asText().equals("DIGEST_MISMATCH")).findFirst().orElseThrow()
                .get("detail").asText();
        assertTrue(mismatch.contains("aws dynamodb put-item --table-name demo-terraform-locks")
                && mismatch.contains("restore the version whose MD5 is"), "both ways out, as the alert words them: "
                + mismatch);

        demoBackend.put("HISTORY_TABLE", "demo-lock-history");
        Result history = main(demoBackend, "history", "demo-tfstate/env:/production/network/terraform.tfstate", "--json");
        assertEquals(0, history.status(), history.stderr());
        JsonNode sessions = JSON.readTree(history.stdout()).get("sessions");
        assertEquals(2, sessions.size());
        assertEquals("state-push", sessions.get(0).get("operation").asText(), "newest first");
        assertEquals("alice@laptop-alice", sessions.get(0).get("who").asText());
        assertEquals(4, sessions.get(0).at("/writes/0/serial").asInt());
        assertEquals("SERIAL_REGRESSION", sessions.get(0).at("/alerts/0/event").asText());
        assertEquals(5, sessions.get(1).at("/writes/0/serial").asInt());

        Result staging = main(demoBackend, "history", "demo-tfstate/env:/staging/network/terraform.tfstate", "--since", "1d");
        assertEquals(0, staging.status(), staging.stderr());
        assertTrue(staging.stdout().contains("1 lock session since"), staging.stdout());
        assertTrue(staging.stdout().contains("ci@runner-3a1f  OperationTypeApply"), staging.stdout());
        assertTrue(staging.stdout().contains("Outside any lock:\n"), staging.stdout());
        assertTrue(staging.stdout().contains("write serial 2"), staging.stdout());
        assertTrue(staging.stdout().contains("!! HIGH UNLOCKED_WRITE"), staging.stdout());
        assertTrue(staging.stdout().contains("write serial 2 (") && staging.stdout().contains(" by arn:aws:sts::123456789012:"
                + "assumed-role/developer/dave from 203.0.113.42 using aws-cli 2.15.30"), "history names the caller CloudTrail "
                + "named: " + staging.stdout());

        theDaysReportShowsEachSessionAndAlertWhereTheHistoryPutsThemInABrowser(demoBackend, alerts);
    }

    /**
     * The report of the demo's day, opened in headless Chromium: every lock session and alert of the day in its
     * state's section, the hostile corpus (in a state's history beside them) as text, nothing loaded, no console
     * error. The screenshot of its first screen is what the README shows (docs/report.png).
     */
    private void theDaysReportShowsEachSessionAndAlertWhereTheHistoryPutsThemInABrowser(Map<String, String> demoBackend,
                                                                                        List<JsonNode> alerts)
            throws Exception {
        var aws = dev.lockauditor.aws.AwsClients.forTools(demoBackend);
        var history = new dev.lockauditor.aws.DynamoDbHistoryStore(aws.dynamoDb(), "demo-lock-history",
                java.time.Duration.ofDays(1));
        Map<String, List<String>> lockIds = new java.util.TreeMap<>();
        history.readAll(java.time.Instant.now().minus(java.time.Duration.ofDays(1))).forEach((path, entries) ->
                entries.stream().filter(e -> e.facts() instanceof dev.lockauditor.history.Facts.LockAcquired)
                        .map(e -> ((dev.lockauditor.history.Facts.LockAcquired) e.facts()).lock().id()).distinct()
                        .forEach(id -> lockIds.computeIfAbsent(path, k -> new java.util.ArrayList<>()).add(id)));
        assertTrue(lockIds.size() >= 4, "the day's locks: " + lockIds);
        // The demo's day is played in a few minutes: the last quarter of an hour holds it all.
        java.nio.file.Path page = java.nio.file.Path.of("target", "demo-report.html");
        Result report = main(demoBackend, "report", "--html", page.toString(), "--since", "15m");
        assertEquals(0, report.status(), report.stderr());
        try (BrowserCheck browser = BrowserCheck.start()) {
            BrowserCheck.Seen seen = browser.open(page, java.nio.file.Path.of("target", "report-screenshot.png"));
            lockIds.forEach((path, ids) -> ids.forEach(id -> assertTrue(seen.sessions().getOrDefault(path, List.of())
                    .stream().anyMatch(row -> row.startsWith(id + " | ")), "session " + id + " in " + path + ": "
                    + seen.sessions().get(path))));
            for (JsonNode alert : alerts) {
                String path = alert.get("statePath").asText();
                if (!alert.get("key").asText().isEmpty()) {
                    assertTrue(seen.alerts().getOrDefault(path, List.of()).contains(alert.get("type").asText()),
                            alert.get("type").asText() + " in " + path + ": " + seen.alerts().get(path));
                }
            }
            assertEquals(List.of(), seen.consoleErrors(), "no console error");
            assertEquals(0, seen.resourcesLoaded(), "nothing loaded from anywhere");
            BrowserCheck.Looks looks = browser.looks(page);
            assertEquals("rgb(255, 255, 255)", looks.light());
            assertEquals("rgb(13, 17, 23)", looks.dark(), "dark where the reader's system is");
            assertTrue(looks.fitsNarrow(), "nothing wider than a phone's window");
            assertEquals("rgb(0, 0, 0)", looks.printed(), "black on white, printed");

            // The hostile corpus as a state's history beside the day's: each value shows as text, nothing more.
            var hostile = new dev.lockauditor.terraform.StatePath("demo-tfstate/env:/sandbox/hostile/terraform.tfstate",
                    "demo-tfstate", "env:/sandbox/hostile/terraform.tfstate", "sandbox");
            List<HostileTextIntegrationTest.Hostile> corpus = HostileTextIntegrationTest.corpus();
            java.time.Instant at = java.time.Instant.now().minus(java.time.Duration.ofHours(2));
            for (int i = 0; i < corpus.size(); i++) {
                var lock = new dev.lockauditor.history.Facts.Lock("hostile-" + i, corpus.get(i).value(),
                        corpus.get(i).value(), "1.11.2", at.plusSeconds(60L * i), "");
                history.write(List.of(new dev.lockauditor.history.HistoryEvent(hostile, at.plusSeconds(60L * i),
                        dev.lockauditor.history.Source.S3_LOCK_FILE, "hostile-" + i, String.valueOf(i), "0",
                        new dev.lockauditor.history.Facts.LockAcquired(lock, null))));
            }
            java.nio.file.Path hostilePage = java.nio.file.Path.of("target", "hostile-report.html");
            assertEquals(0, main(demoBackend, "report", "--html", hostilePage.toString(), "--since", "1d").status());
            BrowserCheck.Seen hostileSeen = browser.open(hostilePage,
                    java.nio.file.Path.of("target", "hostile-report-screenshot.png"));
            for (HostileTextIntegrationTest.Hostile value : corpus) {
                String shown = visible(value.value().substring(0, Math.min(100, value.value().length())));
                assertTrue(hostileSeen.text().contains(shown), value.name() + " shown as text, as " + shown);
            }
            assertEquals(List.of(), hostileSeen.consoleErrors(), "no console error");
            assertEquals(0, hostileSeen.resourcesLoaded(), "nothing loaded from anywhere");
            assertEquals(0, hostileSeen.foreignElements(), "no element a value could have made");
        }
    }

    /** A value as the page shows it: control and bidirectional characters as visible escapes, the rest as it is. */
    private static String visible(String value) {
        StringBuilder shown = new StringBuilder();
        value.chars().forEach(c -> shown.append(dev.lockauditor.alert.PlainText.isControl(c)
                || dev.lockauditor.alert.PlainText.isBidiControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return shown.toString();
    }

    @Test
    void auditOfACleanBackendExitsZeroAndItsProblemsExitOne() throws Exception {
        TerraformBackend backend = new TerraformBackend("audit" + ++run).createLockTable(StreamViewType.NEW_AND_OLD_IMAGES)
                .createBucket();
        Map<String, String> env = MotoServer.environment();
        for (int i = 0; i < 25; i++) {
            String key = "stack-" + i + "/terraform.tfstate";
            LockInfo lock = backend.lock(key, "OperationTypeApply", "ci");
            backend.putDigest(key, backend.putState(key, state(1, "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13")));
            backend.unlock(key, lock.id());
        }
        backend.lock("stack-0/terraform.tfstate", "OperationTypePlan", "dev@laptop", Instant.now().minus(Duration.ofMinutes(5)));
        // Whatever else a bucket holds that is not named as a state: a zero-byte backup, keys of any form.
        backend.putState("empty/terraform.tfstate.backup", "");
        backend.putState("odd keys/ü +%20&?=#/notes.txt", "not a state");

        Result clean = main(env, "audit", "--table", backend.lockTable, "--bucket", backend.bucket);
        assertEquals(0, clean.status(), clean.stdout() + clean.stderr());
        assertFalse(clean.stderr().contains("Exception"), clean.stderr());
        assertTrue(clean.stdout().contains("No problems found."), clean.stdout());
        assertTrue(clean.stdout().contains("stack-0/terraform.tfstate"), "the lock held now is listed");
        assertTrue(clean.stderr().contains("verifying digests: 25/25"), clean.stderr());
        assertFalse(clean.stdout().contains("verifying"), "progress stays off stdout");

        backend.lock("stack-1/terraform.tfstate", "OperationTypeApply", "ci@runner-9c2e", Instant.now().minus(Duration.ofHours(3)));
        backend.putDigest("stack-2/terraform.tfstate", "8b1a9953c4611296a827abf8c47804d7");
        backend.deleteState("stack-3/terraform.tfstate");
        backend.putState("unguarded/terraform.tfstate", state(1, "0b9f6a3e-1d2c-4e5f-8a7b-6c5d4e3f2a1b"));
        backend.lockFile("forgotten/terraform.tfstate", "bob@laptop");
        backend.putItem(Map.of("LockID", AttributeValue.fromS(backend.lockPath("forgotten/terraform.tfstate")),
                "Info", AttributeValue.fromS("not lock info")));
        env.put("STALE_LOCK_MINUTES", "120");

        Result settling = main(env, "audit", "--table", backend.lockTable, "--bucket", backend.bucket, "--json");
        assertTrue(settling.stdout().contains("\"status\" : \"CHANGING\""), "a state written within the digest grace "
                + "may be Terraform writing the pair: shown, not a problem yet\n" + settling.stdout());
        assertFalse(settling.stdout().contains("\"problem\" : \"DIGEST_MISMATCH\""), settling.stdout());

        env.put("DIGEST_GRACE_SECONDS", "0");
        Result found = main(env, "audit", "--table", backend.lockTable, "--bucket", backend.bucket, "--json");
        assertEquals(1, found.status(), found.stderr());
        JsonNode report = JSON.readTree(found.stdout());
        assertFalse(report.get("clean").asBoolean());
        Set<String> problems = java.util.stream.StreamSupport.stream(report.get("findings").spliterator(), false)
                .map(f -> f.get("problem").asText() + " " + f.get("statePath").asText().replace(backend.bucket + "/", ""))
                .collect(Collectors.toSet());
        assertEquals(Set.of("STALE_LOCK stack-1/terraform.tfstate", "DIGEST_MISMATCH stack-2/terraform.tfstate",
                "ORPHANED_DIGEST stack-3/terraform.tfstate", "MISSING_DIGEST unguarded/terraform.tfstate"), problems);
        assertTrue(report.toString().contains("terraform force-unlock"));

        Result text = main(env, "audit", "--table", backend.lockTable, "--bucket", backend.bucket);
        assertEquals(1, text.status());
        assertTrue(text.stdout().contains("PROBLEMS (4)"), text.stdout());
    }

    /** A backend on lock files alone: audit needs no table, and says what the versioned bucket keeps of its locks. */
    @Test
    void auditOfABackendOnLockFilesAloneNeedsNoTableAndCountsTheLockFileVersionsKept() throws Exception {
        TerraformBackend backend = new TerraformBackend("lockfiles" + ++run).createBucket();
        backend.versioned();
        Map<String, String> env = MotoServer.environment();
        for (int apply = 0; apply < 3; apply++) {
            for (String key : List.of("network/terraform.tfstate", "dns/terraform.tfstate")) {
                backend.lockFile(key, "ci@runner-7f9c");
                backend.putState(key, state(apply + 1, "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13"));
                backend.unlockFile(key);
            }
        }

        Result clean = main(env, "audit", "--bucket", backend.bucket);
        assertEquals(0, clean.status(), clean.stdout() + clean.stderr());
        assertTrue(clean.stdout().contains("No problems found."), clean.stdout());
        assertFalse(clean.stdout().contains("DIGESTS"), "no digest is expected without a lock table: " + clean.stdout());
        assertTrue(clean.stdout().contains("LOCK FILE VERSIONS KEPT (2 states)"), clean.stdout());
        assertTrue(clean.stdout().contains("6 noncurrent lock file versions"), clean.stdout());

        Result json = main(env, "audit", "--bucket", backend.bucket, "--json");
        JsonNode report = JSON.readTree(json.stdout());
        assertTrue(report.get("lockTable").isNull());
        JsonNode network = java.util.stream.StreamSupport.stream(report.get("lockFileVersions").spliterator(), false)
                .filter(row -> row.get("statePath").asText().endsWith("/network/terraform.tfstate")).findFirst()
                .orElseThrow();
        assertEquals(3, network.get("noncurrentVersions").asInt());
        assertEquals(3, network.get("deleteMarkers").asInt());
        assertTrue(network.get("bytes").asLong() > 3 * 200, "three lock infos: " + network);
        assertTrue(network.get("monthlyCostUsd").asDouble() > 0 && network.get("monthlyCostUsd").asDouble() < 0.0001);

        LockInfo left = backend.lockFile("network/terraform.tfstate", "ci@runner-9c2e", Instant.now().minus(Duration.ofHours(3)));
        Result found = main(env, "audit", "--bucket", backend.bucket, "--json");
        assertEquals(1, found.status(), found.stdout() + found.stderr());
        JsonNode problem = JSON.readTree(found.stdout()).get("findings").get(0);
        assertEquals("LOCK_FILE_LEFT_BEHIND", problem.get("problem").asText());
        assertTrue(problem.get("detail").asText().contains("terraform force-unlock " + left.id()), problem.toString());
        backend.unlockFile("network/terraform.tfstate");

        backend.putState("dns/terraform.tfstate", new ObjectMapper().enable(
                com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(
                new ObjectMapper().readValue(state(4, "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13"), Map.class)));
        backend.putState("network/terraform.tfstate", "<html><body>502 Bad Gateway</body></html>");
        Result broken = main(env, "audit", "--bucket", backend.bucket, "--json");
        assertEquals(1, broken.status(), broken.stdout() + broken.stderr());
        JsonNode findings = JSON.readTree(broken.stdout()).get("findings");
        assertEquals(1, findings.size(), "a state with its keys sorted is a state: " + findings);
        assertEquals("STATE_UNREADABLE", findings.get(0).get("problem").asText());
        assertTrue(findings.get(0).get("statePath").asText().endsWith("/network/terraform.tfstate"));
        String detail = findings.get(0).get("detail").asText();
        assertTrue(detail.contains("not JSON (an HTML page)") && detail.contains("aws s3api copy-object"), detail);
        assertFalse(broken.stdout().contains("Bad Gateway"), "what was found is named, never shown");
    }

    /**
     * Terraform's multi-account layout: backends in several accounts, reached by a profile or an assumed role, and
     * environments by workspace. One report, environment by environment, with one exit status.
     */
    @Test
    void auditOverSeveralBackendsReportsEachEnvironmentWithOneExitStatus() throws Exception {
        TerraformBackend admin = new TerraformBackend("admin" + ++run).createLockTable(StreamViewType.NEW_AND_OLD_IMAGES)
                .createBucket();
        TerraformBackend sandbox = new TerraformBackend("sandbox" + run).createLockTable(StreamViewType.NEW_AND_OLD_IMAGES)
                .createBucket();
        for (String key : List.of("env:/prod/network/terraform.tfstate", "env:/staging/network/terraform.tfstate")) {
            LockInfo lock = admin.lock(key, "OperationTypeApply", "ci");
            admin.putDigest(key, admin.putState(key, state(1, "7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13")));
            admin.unlock(key, lock.id());
        }
        admin.lock("env:/staging/network/terraform.tfstate", "OperationTypeApply", "ci@runner-9c2e",
                Instant.now().minus(Duration.ofHours(3)));
        sandbox.putDigest("dev/terraform.tfstate", sandbox.putState("dev/terraform.tfstate",
                state(1, "0b9f6a3e-1d2c-4e5f-8a7b-6c5d4e3f2a1b")));
        java.nio.file.Path credentials = java.nio.file.Files.createTempFile("aws-credentials", "");
        java.nio.file.Files.writeString(credentials, "[sandbox]\naws_access_key_id = testing\n"
                + "aws_secret_access_key = testing\n");
        Map<String, String> env = MotoServer.environment();
        env.put("ENVIRONMENTS", "production=env:/prod/*;staging=env:/staging/*");
        env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        String[] backends = {
                "--backend", "table=" + admin.lockTable + ",bucket=" + admin.bucket
                        + ",role=arn:aws:iam::123456789012:role/terraform-lock-auditor-audit,environment=shared",
                "--backend", "table=" + sandbox.lockTable + ",bucket=" + sandbox.bucket + ",profile=sandbox,environment=sandbox"};

        Result json = main(env, java.util.stream.Stream.concat(java.util.stream.Stream.of("audit", "--json"),
                java.util.Arrays.stream(backends)).toArray(String[]::new));

        assertEquals(1, json.status(), json.stderr());
        JsonNode report = JSON.readTree(json.stdout());
        assertEquals(2, report.get("backends").size());
        assertEquals(List.of("production clean", "staging 1", "sandbox clean"),
                java.util.stream.StreamSupport.stream(report.get("environments").spliterator(), false)
                        .map(e -> e.get("environment").asText() + " " + (e.get("clean").asBoolean() ? "clean"
                                : e.get("findings").asText())).toList());
        JsonNode stale = report.get("findings").get(0);
        assertEquals("STALE_LOCK", stale.get("problem").asText());
        assertEquals("staging", stale.get("environment").asText());
        assertEquals(admin.lockTable, stale.get("lockTable").asText());

        Result text = main(env, java.util.stream.Stream.concat(java.util.stream.Stream.of("audit"),
                java.util.Arrays.stream(backends)).toArray(String[]::new));
        assertEquals(1, text.status());
        String stdout = text.stdout();
        assertTrue(stdout.indexOf("=== production ===") < stdout.indexOf("=== staging ===")
                && stdout.indexOf("=== staging ===") < stdout.indexOf("=== sandbox ==="), stdout);
        assertTrue(stdout.contains("as arn:aws:iam::123456789012:role/terraform-lock-auditor-audit"), stdout);

        Result partly = main(env, "audit", "--backend", "table=" + admin.lockTable + ",bucket=" + admin.bucket,
                "--backend", "table=no-such-table,bucket=" + sandbox.bucket);
        assertEquals(2, partly.status(), "one backend could not be looked at");
        assertTrue(partly.stdout().contains("NOT REACHED (1)"), partly.stdout());
        assertTrue(partly.stdout().contains("=== staging ==="), "the other is reported: " + partly.stdout());
    }

    @Test
    void auditAndHistorySayWhatIsWrongAndExitTwo() {
        TerraformBackend backend = new TerraformBackend("wrong" + ++run).createBucket();
        backend.dynamoDb.createTable(b -> b.tableName(backend.lockTable)
                .billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(a -> a.attributeName("id").attributeType("S"))
                .keySchema(k -> k.attributeName("id").keyType("HASH")));
        Map<String, String> env = MotoServer.environment();

        assertError(main(env, "audit", "--table", backend.lockTable, "--bucket", backend.bucket),
                "has no LockID key: not a Terraform lock table");
        assertError(main(env, "audit", "--table", "no-such-table", "--bucket", backend.bucket),
                "not found: no-such-table does not exist");
        TerraformBackend noBucket = new TerraformBackend("nobucket" + run).createLockTable(StreamViewType.NEW_AND_OLD_IMAGES);
        assertError(main(env, "audit", "--table", noBucket.lockTable, "--bucket", "no-such-bucket"), "no-such-bucket");
        assertError(main(env, "audit", "--table", backend.lockTable), "audit needs the state bucket");
        assertError(main(env, "audit", "--frobnicate"), "audit: unknown option '--frobnicate'");
        assertError(main(env, "history"), "history takes a STATE_PATH");
        assertError(main(env, "history", "b/k", "--since", "yesterday"), "--since takes 7d");
        Map<String, String> nowhere = MotoServer.environment();
        nowhere.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        assertError(main(nowhere, "audit", "--table", "t", "--bucket", "b"), "cannot reach the AWS endpoint");
        Map<String, String> noHistoryTable = MotoServer.environment();
        noHistoryTable.put("HISTORY_TABLE", "no-such-history");
        assertError(main(noHistoryTable, "history", "b/k"), "not found: no-such-history does not exist");
    }

    private static void assertError(Result result, String message) {
        assertEquals(2, result.status(), result.stdout() + result.stderr());
        assertTrue(result.stderr().contains(message), result.stderr());
        assertFalse(result.stderr().contains("\tat "), "no stack trace for a user's mistake: " + result.stderr());
        assertTrue(result.stdout().isEmpty(), result.stdout());
    }
}

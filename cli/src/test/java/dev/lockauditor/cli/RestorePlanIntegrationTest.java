package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.cli.command.DemoCommand;
import dev.lockauditor.testsupport.MotoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * {@code restore-plan} against moto: the plan it prints is run as printed, with the AWS CLI, and the state it names is
 * then the current object, with its digest set. Read-only itself: the backend changes only when the commands run.
 */
class RestorePlanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LINEAGE = "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c";
    /** A key a person chose: a space and a quote in it, which every printed command must quote. */
    private static final String KEY = "team's app/terraform.tfstate";
    private static int run;

    private static String state(long serial) {
        return DemoCommand.TeamDay.state(serial, LINEAGE);
    }

    private static CommandsIntegrationTest.Result plan(TerraformBackend backend, String... options) {
        List<String> args = new ArrayList<>(List.of("restore-plan", backend.lockPath(KEY), "--format", "json"));
        args.addAll(List.of(options));
        Map<String, String> env = MotoServer.environment();
        env.put("LOCK_TABLE", backend.lockTable);
        return CommandsIntegrationTest.main(env, args.toArray(String[]::new));
    }

    private static String current(TerraformBackend backend) {
        return backend.s3.getObjectAsBytes(b -> b.bucket(backend.bucket).key(KEY)).asString(StandardCharsets.UTF_8);
    }

    private static String digest(TerraformBackend backend) {
        Map<String, AttributeValue> item = backend.dynamoDb.getItem(b -> b.tableName(backend.lockTable)
                .key(Map.of("LockID", AttributeValue.fromS(backend.lockPath(KEY) + "-md5")))).item();
        return item.get("Digest").s();
    }

    /** Runs each command as a person pastes it into a shell, with the AWS CLI pointed at moto. */
    static void runAsPrinted(JsonNode commands) throws IOException, InterruptedException {
        for (JsonNode command : commands) {
            ProcessBuilder shell = new ProcessBuilder("bash", "-c", command.asText() + " > /dev/null")
                    .redirectErrorStream(true);
            shell.environment().putAll(MotoServer.environment());
            // The AWS CLI v1 takes its region from AWS_DEFAULT_REGION (a person's from their profile).
            shell.environment().put("AWS_DEFAULT_REGION", MotoServer.environment().get("AWS_REGION"));
            Process process = shell.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the command ends: " + command.asText());
            assertEquals(0, process.exitValue(), command.asText() + "\n" + output);
        }
    }

    @Test
    void afterARollbackThePlanBringsBackTheHighestSerialOfTheReplacedLineageAndItsDigest() throws Exception {
        TerraformBackend backend = new TerraformBackend("restore" + ++run)
                .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        backend.versioned();
        for (long serial = 1; serial <= 3; serial++) {
            backend.putDigest(KEY, backend.putState(KEY, state(serial)));
        }
        // Two rollbacks in a row: the state before the current one is serial 2, but the one lost is serial 3.
        backend.putDigest(KEY, backend.putState(KEY, state(2).replace("\"resources\": []", "\"resources\": [{}]")));
        backend.putDigest(KEY, backend.putState(KEY, state(1).replace("\"resources\": []", "\"resources\": [{}]")));

        CommandsIntegrationTest.Result result = plan(backend);
        assertEquals(0, result.status(), result.stdout() + result.stderr());
        JsonNode plan = JSON.readTree(result.stdout());
        assertEquals(3, plan.get("restore").get("serial").asLong(), plan.toString());
        assertEquals(LINEAGE, plan.get("restore").get("lineage").asText());
        assertEquals(TerraformBackend.md5(state(3)), plan.get("restore").get("md5").asText());
        assertEquals(2, plan.get("commands").size(), "copy the version back, set its digest: " + plan);
        assertTrue(plan.get("versions").get(0).get("current").asBoolean());
        assertEquals(5, plan.get("versions").size());
        assertEquals(state(1).replace("\"resources\": []", "\"resources\": [{}]"), current(backend),
                "printed, never run");

        runAsPrinted(plan.get("commands"));

        assertEquals(state(3), current(backend));
        assertEquals(TerraformBackend.md5(state(3)), digest(backend), "Terraform's checksum passes again");

        JsonNode first = JSON.readTree(plan(backend, "--serial", "1").stdout());
        assertEquals(1, first.get("restore").get("serial").asLong());
        String firstVersion = first.get("restore").get("versionId").asText();
        JsonNode byId = JSON.readTree(plan(backend, "--version-id", firstVersion).stdout());
        assertEquals(firstVersion, byId.get("restore").get("versionId").asText());
        assertEquals(1, plan(backend, "--serial", "9").status(), "no such serial: nothing to bring back");
    }

    @Test
    void aDeletedStateComesBackByRemovingItsDeleteMarker() throws Exception {
        TerraformBackend backend = new TerraformBackend("restored" + ++run)
                .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        backend.versioned();
        backend.putDigest(KEY, backend.putState(KEY, state(7)));
        backend.deleteState(KEY);

        JsonNode plan = JSON.readTree(plan(backend).stdout());
        assertEquals(7, plan.get("restore").get("serial").asLong(), plan.toString());
        String marker = plan.get("removesDeleteMarker").asText();
        assertTrue(plan.get("commands").get(0).asText().startsWith("aws s3api delete-object")
                && plan.get("commands").get(0).asText().contains(marker), plan.toString());

        runAsPrinted(plan.get("commands"));

        assertEquals(state(7), current(backend));
    }

    @Test
    void anUnversionedBucketHasNothingToBringBackAndSaysSo() throws Exception {
        TerraformBackend backend = new TerraformBackend("unversioned" + ++run)
                .createLockTable(StreamViewType.NEW_AND_OLD_IMAGES).createBucket();
        backend.putState(KEY, state(4));

        CommandsIntegrationTest.Result result = plan(backend);
        assertEquals(1, result.status());
        JsonNode plan = JSON.readTree(result.stdout());
        assertNull(plan.get("restore").textValue());
        assertTrue(plan.get("why").asText().contains("keeps no versions"), plan.toString());
        assertEquals(0, plan.get("commands").size());
    }
}

package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertType;
import dev.lockauditor.audit.StateFixtures;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.EventType;
import dev.lockauditor.history.HistoryEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever is written at a state's key is seen: a state whose keys were reordered is read through to its header, and
 * what Terraform could not load (an HTML page, {@code {}}, a truncated upload, nothing at all) is recorded and raised
 * as {@code STATE_UNREADABLE}, with the last version that reads as a state to bring back. Objects that were never
 * states stay skipped.
 */
@EnabledIf("samplesPresent")
class NoWriteSlipsPastTest {

    static final Instant T0 = Instant.parse("2025-03-14T09:20:00Z");
    static final ObjectMapper SORTED = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    static boolean samplesPresent() {
        return BucketDay.samplesPresent();
    }

    final BucketDay day = new BucketDay(false);

    /** A state at serial 6, written under its lock file. */
    void liveState() throws Exception {
        day.apply(6, StateFixtures.LINEAGE, T0);
    }

    /** {@code jq -S . state.json}: the same state, its keys sorted, with enough resources to push serial far down. */
    static byte[] sortedState(long serial, String lineage, int resourceBytes) throws Exception {
        Map<?, ?> state = new ObjectMapper().readValue(StateFixtures.terraformState(serial, lineage), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = new java.util.TreeMap<>((Map<String, Object>) state);
        copy.put("resources", List.of(Map.of("type", "aws_s3_bucket", "instances",
                List.of(Map.of("attributes", Map.of("policy", "p".repeat(resourceBytes)))))));
        return SORTED.writeValueAsBytes(copy);
    }

    @Test
    void aRollbackWithItsKeysSortedIsARegressionReadingItOnce() throws Exception {
        liveState();
        byte[] rollback = sortedState(3, StateFixtures.LINEAGE, 100_000);
        String text = new String(rollback, StandardCharsets.UTF_8);
        assertTrue(text.indexOf("\"serial\"") > 64 * 1024, "serial lies past the first 64 KiB");
        day.test.backend.reads.clear();

        day.handle(day.write(BucketDay.KEY, rollback, T0.plusSeconds(300)));

        assertEquals(List.of(AlertType.SERIAL_REGRESSION, AlertType.UNLOCKED_WRITE), day.alerts());
        Alert regression = day.test.published.get(0);
        assertEquals(6L, regression.facts().get("previousSerial"));
        assertEquals(3L, regression.facts().get("serial"));
        assertEquals(3, day.test.backend.reads.get(BucketDay.KEY),
                "its first bytes, then the rest (each byte once), and the header of the version it replaced, to restore");
        assertTrue(regression.facts().containsKey("restore"), "the version to bring back");
        HistoryEvent written = day.history().stream().filter(e -> e.type() == EventType.STATE_WRITTEN)
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(3L, written.fields().get("serial"));
    }

    @Test
    void aCanonicalStateStillCostsOneRangedRead() throws Exception {
        liveState();
        day.test.backend.reads.clear();

        day.apply(7, StateFixtures.LINEAGE, T0.plusSeconds(300));

        assertEquals(1, day.test.backend.reads.get(BucketDay.KEY));
        assertEquals(List.of(), day.alerts());
    }

    /** A state as Terraform writes it, header first, with enough resources to make it {@code resourceBytes} larger. */
    static String largeState(long serial, String lineage, int resourceBytes) {
        return StateFixtures.terraformState(serial, lineage).replace("\"resources\": []",
                "\"resources\": [{\"type\": \"aws_iam_policy\", \"policy\": \"" + "p".repeat(resourceBytes) + "\"}]");
    }

    /** The same, {@code size} bytes long in all. */
    static byte[] largeStateOfSize(long serial, String lineage, int size) {
        int padding = size - largeState(serial, lineage, 0).getBytes(StandardCharsets.UTF_8).length;
        byte[] state = largeState(serial, lineage, padding).getBytes(StandardCharsets.UTF_8);
        assertEquals(size, state.length);
        return state;
    }

    /** Just past the first 64 KiB (its last bytes partly among them), and well past them. */
    @ParameterizedTest
    @ValueSource(ints = {64 * 1024 + 1, 64 * 1024 + 63, 64 * 1024 + 64, 64 * 1024 + 65, 200_000})
    void aStateLargerThanItsFirstBytesCostsARangedReadOfItsLastBytesToo(int size) throws Exception {
        liveState();
        byte[] large = largeStateOfSize(7, StateFixtures.LINEAGE, size);
        Instant at = T0.plusSeconds(300);
        byte[] lock = day.takeLock(day.lock("OperationTypeApply", "ci@runner-7f9c", at), at);
        byte[] written = day.write(BucketDay.KEY, large, at.plusSeconds(2));
        byte[] released = day.releaseLock(at.plusSeconds(4));
        day.handle(lock);
        day.test.backend.reads.clear();

        day.handle(written);
        day.handle(released);

        assertEquals(2, day.test.backend.reads.get(BucketDay.KEY), "its first 64 KiB, then its last bytes");
        assertEquals(List.of(), day.alerts());
        HistoryEvent entry = day.history().stream().filter(e -> e.type() == EventType.STATE_WRITTEN)
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(7L, entry.fields().get("serial"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"html", "empty-object", "truncated", "truncated-after-its-header", "zero-bytes"})
    void whatTerraformCannotLoadWrittenOverALiveStateIsOneStateUnreadableNamingTheWriterAndTheLastGoodVersion(
            String what) throws Exception {
        liveState();
        String lastGood = day.test.backend.objects.get(BucketDay.KEY).versionId();
        String live = StateFixtures.terraformState(6, StateFixtures.LINEAGE);
        byte[] body = switch (what) {
            case "html" -> "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(StandardCharsets.UTF_8);
            case "empty-object" -> "{}".getBytes(StandardCharsets.UTF_8);
            case "truncated" -> Arrays.copyOf(live.getBytes(StandardCharsets.UTF_8), live.length() / 2);
            // A large state cut short well past its first 64 KiB, whose header they hold.
            case "truncated-after-its-header" -> Arrays.copyOf(largeState(7, StateFixtures.LINEAGE, 200_000)
                    .getBytes(StandardCharsets.UTF_8), 150_000);
            default -> new byte[0];
        };
        Instant at = T0.plusSeconds(300);
        byte[] lock = day.takeLock(day.lock("OperationTypeApply", "ci@runner-7f9c", at), at);
        byte[] written = day.write(BucketDay.KEY, body, at.plusSeconds(2));
        byte[] released = day.releaseLock(at.plusSeconds(4));

        day.handle(lock);
        day.handle(written);
        day.handle(written);
        day.handle(released);

        assertEquals(List.of(AlertType.STATE_UNREADABLE), day.alerts(), "once, and no unlocked write: it was locked");
        Alert alert = day.test.published.get(0);
        assertEquals("123456789012", alert.facts().get("writer"));
        assertTrue(alert.summary().contains("a principal of account 123456789012"), alert.summary());
        @SuppressWarnings("unchecked")
        Map<String, Object> restore = (Map<String, Object>) alert.facts().get("restore");
        assertEquals(lastGood, restore.get("versionId"));
        assertEquals(6L, restore.get("serial"));
        assertTrue(alert.remediation().contains("aws s3api copy-object --bucket acme-tfstate --key "
                + "env:/staging/network/terraform.tfstate --copy-source 'acme-tfstate/env:/staging/network/"
                + "terraform.tfstate?versionId=" + lastGood + "'"), alert.remediation());
        HistoryEvent entry = day.history().stream().filter(e -> e.type() == EventType.STATE_WRITTEN)
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(false, entry.fields().get("headerReadable"));
        assertTrue(((String) entry.fields().get("whyUnreadable")).startsWith("not a state: "), entry.fields().toString());
        String everything = entry.fields() + AlertDocument.of(alert, new AlertDocument.Origin(Environments.only("test"),
                "123456789012", "eu-west-1", "")).toString() + String.join("\n", day.context.lines);
        assertFalse(everything.contains("Bad Gateway") || everything.contains(StateFixtures.SECRET), everything);
    }

    @Test
    void theSweepsFullListingFindsWhatTerraformCannotLoadWhoseEventWasLost() throws Exception {
        liveState();
        day.write(BucketDay.KEY, "<html>gone</html>".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(60));

        day.sweep();
        day.sweep();

        assertEquals(List.of(AlertType.STATE_UNREADABLE), day.alerts(), "once, however many sweeps find it");
        HistoryEvent reconciled = day.history().stream().filter(e -> e.type() == EventType.STATE_WRITTEN)
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("an HTML page", reconciled.fields().get("found"));
        assertEquals("sweep", reconciled.sourceId());
    }

    @Test
    void anUnlockedUnreadableWriteIsAlsoAnUnlockedWrite() throws Exception {
        liveState();

        day.handle(day.write(BucketDay.KEY, "{}".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(300)));

        assertEquals(List.of(AlertType.STATE_UNREADABLE, AlertType.UNLOCKED_WRITE), day.alerts());
    }

    @Test
    void objectsThatWereNeverStatesStaySkippedQuietly() throws Exception {
        liveState();

        day.handle(day.write("plans/network.tfplan", new byte[] {0x50, 0x4B, 0x03, 0x04, 1, 2, 3}, T0.plusSeconds(60)));
        day.handle(day.write("artifacts/lambda.zip", new byte[] {0x50, 0x4B, 0x03, 0x04, 9, 9}, T0.plusSeconds(61)));
        day.handle(day.write("notes/README", "hello".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(62)));

        assertEquals(List.of(), day.alerts());
        assertTrue(day.test.history.history("acme-tfstate/plans/network.tfplan").isEmpty());
        assertTrue(day.test.history.history("acme-tfstate/artifacts/lambda.zip").isEmpty());
    }

    @Test
    void aKeyNamedAsAStateIsJudgedAsOneEvenBeforeItHeldAState() throws Exception {
        day.handle(day.write("new/terraform.tfstate", "<html>".getBytes(StandardCharsets.UTF_8), T0));

        assertEquals(List.of(AlertType.STATE_UNREADABLE, AlertType.UNLOCKED_WRITE), day.alerts());
        assertTrue(day.test.published.get(0).remediation().contains("No earlier version of it reads as a state"),
                day.test.published.get(0).remediation());
    }
}

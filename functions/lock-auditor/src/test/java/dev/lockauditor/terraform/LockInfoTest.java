package dev.lockauditor.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LockInfoTest {

    static final String TERRAFORM_INFO = "{\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\",\"Operation\":\"OperationTypeApply\","
            + "\"Info\":\"\",\"Who\":\"ci@runner-7f9c\",\"Version\":\"1.11.2\",\"Created\":\"2025-03-14T09:26:53.589793238Z\","
            + "\"Path\":\"mybucket/env:/staging/network/terraform.tfstate\"}";

    static String info(String operation, String created) {
        return TERRAFORM_INFO.replace("OperationTypeApply", operation).replace("2025-03-14T09:26:53.589793238Z", created);
    }

    @Test
    void parsesEveryFieldTerraformWrites() throws Exception {
        LockInfo lock = LockInfo.parse(TERRAFORM_INFO);

        assertEquals("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", lock.id());
        assertEquals("OperationTypeApply", lock.operation());
        assertEquals("", lock.info());
        assertEquals("ci@runner-7f9c", lock.who());
        assertEquals("1.11.2", lock.version());
        assertEquals("2025-03-14T09:26:53.589793238Z", lock.created());
        assertEquals("mybucket/env:/staging/network/terraform.tfstate", lock.path());
        assertEquals(Instant.parse("2025-03-14T09:26:53.589793238Z"), lock.createdInstant());
    }

    @Test
    void writesTheSameBytesTerraformWrites() throws Exception {
        assertEquals(TERRAFORM_INFO, LockInfo.parse(TERRAFORM_INFO).toJson());
    }

    @ParameterizedTest
    @ValueSource(strings = {"OperationTypeApply", "OperationTypePlan", "OperationTypeRefresh", "OperationTypeInvalid",
            "init", "state-mv", "state-rm", "state-push", "taint", "untaint", "workspace-new", "migration source state"})
    void keepsEveryOperation(String operation) throws Exception {
        assertEquals(operation, LockInfo.parse(info(operation, "2025-03-14T09:26:53Z")).operation());
    }

    @ParameterizedTest
    @CsvSource({
            "2025-03-14T09:26:53Z, 2025-03-14T09:26:53Z",
            "2025-03-14T09:26:53.5Z, 2025-03-14T09:26:53.500Z",
            "2025-03-14T09:26:53.58Z, 2025-03-14T09:26:53.580Z",
            "2025-03-14T09:26:53.589Z, 2025-03-14T09:26:53.589Z",
            "2025-03-14T09:26:53.5897Z, 2025-03-14T09:26:53.589700Z",
            "2025-03-14T09:26:53.58979Z, 2025-03-14T09:26:53.589790Z",
            "2025-03-14T09:26:53.589793Z, 2025-03-14T09:26:53.589793Z",
            "2025-03-14T09:26:53.5897932Z, 2025-03-14T09:26:53.589793200Z",
            "2025-03-14T09:26:53.58979323Z, 2025-03-14T09:26:53.589793230Z",
            "2025-03-14T09:26:53.589793238Z, 2025-03-14T09:26:53.589793238Z",
            "2025-03-14T10:26:53.589+01:00, 2025-03-14T09:26:53.589Z",
    })
    void readsCreatedWithZeroToNineFractionalDigits(String created, String instant) throws Exception {
        assertEquals(Instant.parse(instant), LockInfo.parse(info("init", created)).createdInstant());
    }

    @ParameterizedTest
    @CsvSource({
            "2025-03-14T09:26:53.589793238Z, 2025-03-14 09:26:53.589793238 +0000 UTC",
            "2025-03-14T09:26:53.5Z, 2025-03-14 09:26:53.5 +0000 UTC",
            "2025-03-14T09:26:53Z, 2025-03-14 09:26:53 +0000 UTC",
    })
    void printsCreatedAsTerraformDoes(String created, String printed) throws Exception {
        assertEquals(printed, LockInfo.parse(info("init", created)).createdAsPrinted());
    }

    @Test
    void heldForCountsWholeSecondsAndNeverGoesNegative() throws Exception {
        LockInfo lock = LockInfo.parse(TERRAFORM_INFO);

        assertEquals(287, lock.heldForSeconds(Instant.parse("2025-03-14T09:31:41Z")));
        assertEquals(0, lock.heldForSeconds(Instant.parse("2025-03-14T09:26:00Z")));
    }

    @Test
    void readsTheSameLockInfoWrittenAnotherWay() throws Exception {
        LockInfo terraform = LockInfo.parse(TERRAFORM_INFO);
        String reordered = "{\"Path\":\"mybucket/env:/staging/network/terraform.tfstate\",\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\","
                + "\"Operation\":\"OperationTypeApply\",\"Who\":\"ci@runner-7f9c\",\"Info\":\"\",\"Version\":\"1.11.2\","
                + "\"Created\":\"2025-03-14T09:26:53.589793238Z\"}";
        String escaped = TERRAFORM_INFO.replace("ci@runner-7f9c", "ci\\u0040runner-7f9c");
        String spaced = TERRAFORM_INFO.replace(",", ", ").replace("{", "{ ");

        assertEquals(terraform, LockInfo.parse(reordered));
        assertEquals(terraform, LockInfo.parse(escaped));
        assertEquals(terraform, LockInfo.parse(spaced));
        assertEquals("a \"quoted\" name", LockInfo.parse(TERRAFORM_INFO.replace("ci@runner-7f9c", "a \\\"quoted\\\" name")).who());
    }

    @Test
    void ignoresFieldsItDoesNotKnow() throws Exception {
        String json = TERRAFORM_INFO.replace("{\"ID\"", "{\"Extra\":{\"nested\":[1,2]},\"ID\"");
        assertEquals("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", LockInfo.parse(json).id());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "locked by hand | lock info is not valid JSON",
            "[1,2] | lock info is not a JSON object",
            "'' | lock info is not a JSON object",
            "{\"ID\":1} | lock info field ID is not a string",
            "{\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\"} | lock info has no Operation field",
            "{\"ID\":\"x\",\"Operation\":\"a\",\"Info\":\"\",\"Who\":\"a\",\"Version\":\"1\",\"Created\":\"2025-03-14T09:26:53Z\",\"Path\":\"b/k\"} | lock info ID is not a lock id",
            "{\"ID\":\"9F3C2A4E-6B1D-8E07-52A9-C4D1E0F7B382\",\"Operation\":\"a\",\"Info\":\"\",\"Who\":\"a\",\"Version\":\"1\",\"Created\":\"2025-03-14T09:26:53Z\",\"Path\":\"b/k\"} | lock info ID is not a lock id",
            "{\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\",\"Operation\":\"a\",\"Info\":\"\",\"Who\":\"a\",\"Version\":\"1\",\"Created\":\"yesterday\",\"Path\":\"b/k\"} | lock info Created is not an RFC 3339 time",
            "{\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\",\"Operation\":\"a\",\"Info\":\"\",\"Who\":\"a\",\"Version\":\"1\",\"Created\":\"2025-03-14T09:26:53.1234567891Z\",\"Path\":\"b/k\"} | lock info Created is not an RFC 3339 time",
            "{\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\",\"Operation\":null,\"Info\":\"\",\"Who\":\"a\",\"Version\":\"1\",\"Created\":\"2025-03-14T09:26:53Z\",\"Path\":\"b/k\"} | lock info field Operation is not a string",
            "{} {} | lock info is not a single JSON object",
    })
    void rejectsWhatIsNotLockInfoWithAReasonThatQuotesNothing(String json, String reason) {
        MalformedException e = assertThrows(MalformedException.class, () -> LockInfo.parse(json));
        assertEquals(reason, e.getMessage());
    }

    @Test
    void writesLockInfoAsGosEncodingJsonWouldWithJacksonNotByHand() throws Exception {
        LockInfo lock = new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "",
                "<a&b>\u2028\u001b\n\"q\"", "1.11.2", "2025-03-14T09:26:53Z", "b/k");

        String json = lock.toJson();

        assertEquals("{\"ID\":\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\",\"Operation\":\"OperationTypeApply\",\"Info\":\"\","
                + "\"Who\":\"\\u003ca\\u0026b\\u003e\\u2028\\u001b\\n\\\"q\\\"\",\"Version\":\"1.11.2\","
                + "\"Created\":\"2025-03-14T09:26:53Z\",\"Path\":\"b/k\"}", json);
        assertEquals(lock, LockInfo.parse(json));
    }
}

package dev.lockauditor.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.lockauditor.terraform.LockTableItem.Digest;
import dev.lockauditor.terraform.LockTableItem.Foreign;
import dev.lockauditor.terraform.LockTableItem.Lock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LockTableItemTest {

    static final String PATH = "mybucket/env:/staging/network/terraform.tfstate";

    /** An item from attribute name/type/value triples; values of non-string types are left out. */
    static LockTableItem classify(String... nameTypeValue) {
        Map<String, String> strings = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (int i = 0; i < nameTypeValue.length; i += 3) {
            types.put(nameTypeValue[i], nameTypeValue[i + 1]);
            if (nameTypeValue[i + 1].equals("S")) {
                strings.put(nameTypeValue[i], nameTypeValue[i + 2]);
            }
        }
        return LockTableItem.classify(strings, types, "env:");
    }

    @Test
    void aLockItemIsALockOnItsState() throws Exception {
        Lock lock = assertInstanceOf(Lock.class, classify("LockID", "S", PATH, "Info", "S", LockInfoTest.TERRAFORM_INFO));

        assertEquals(StatePath.parse(PATH, "env:"), lock.state());
        assertEquals("staging", lock.state().workspace());
        assertEquals("ci@runner-7f9c", lock.info().who());
    }

    @Test
    void aDigestItemIsTheDigestOfTheStateWithoutTheSuffix() {
        Digest digest = assertInstanceOf(Digest.class,
                classify("LockID", "S", PATH + "-md5", "Digest", "S", "ad37533d627aecda1ac35c00e2ee3a7f"));

        assertEquals(PATH, digest.state().path());
        assertEquals("ad37533d627aecda1ac35c00e2ee3a7f", digest.md5());
    }

    @Test
    void aStateWhoseKeyEndsInMd5IsStillLockedByItsInfo() {
        String path = "mybucket/app-md5";
        String info = LockInfoTest.TERRAFORM_INFO.replace("mybucket/env:/staging/network/terraform.tfstate", path);

        Lock lock = assertInstanceOf(Lock.class, classify("LockID", "S", path, "Info", "S", info));
        assertEquals(path, lock.state().path());
    }

    @Test
    void foreignAndMalformedItemsSayWhy() {
        assertReason("no LockID attribute", classify("Info", "S", LockInfoTest.TERRAFORM_INFO));
        assertReason("LockID is of type N, not a string", classify("LockID", "N", "", "Info", "S", "{}"));
        assertReason("not a bucket/key lock path", classify("LockID", "S", "feature-flags", "Info", "S",
                LockInfoTest.TERRAFORM_INFO));
        assertReason("Info is of type N, not a string", classify("LockID", "S", PATH, "Info", "N", ""));
        assertReason("Info is of type M, not a string", classify("LockID", "S", PATH, "Info", "M", ""));
        assertReason("lock info is not valid JSON", classify("LockID", "S", PATH, "Info", "S", "locked by hand"));
        assertReason("lock info Path does not match LockID",
                classify("LockID", "S", "mybucket/other.tfstate", "Info", "S", LockInfoTest.TERRAFORM_INFO));
        assertReason("Digest is of type N, not a string", classify("LockID", "S", PATH + "-md5", "Digest", "N", ""));
        assertReason("Digest is not a lowercase hex MD5",
                classify("LockID", "S", PATH + "-md5", "Digest", "S", "AD37533D627AECDA1AC35C00E2EE3A7F"));
        assertReason("Digest is not a lowercase hex MD5", classify("LockID", "S", PATH + "-md5", "Digest", "S", ""));
        assertReason("neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)",
                classify("LockID", "S", PATH, "Digest", "S", "ad37533d627aecda1ac35c00e2ee3a7f"));
        assertReason("neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)",
                classify("LockID", "S", "feature-flags", "Enabled", "BOOL", ""));
    }

    private static void assertReason(String reason, LockTableItem item) {
        assertEquals(reason, assertInstanceOf(Foreign.class, item).reason());
    }
}

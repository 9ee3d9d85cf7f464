package dev.lockauditor.handler;

import dev.lockauditor.backend.LockTable;
import dev.lockauditor.backend.ObjectHead;
import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The backend SnapStart priming runs against: one state, written under a lock that is held, with its digest, all
 * in memory, so that priming goes down the same paths as a real event (header, lock, digest) and reaches no AWS.
 */
final class PrimingBackend implements LockTable, StateBucket {

    static final String BUCKET = "priming-bucket";
    static final String KEY = "env:/priming/terraform.tfstate";
    static final String PATH = BUCKET + "/" + KEY;
    private static final byte[] STATE = ("{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": 1,\n"
            + "  \"lineage\": \"00000000-0000-4000-8000-000000000000\",\n  \"outputs\": {}\n}\n")
            .getBytes(StandardCharsets.UTF_8);

    private final String md5 = md5(STATE);
    private final LockInfo lock = new LockInfo("00000000-0000-0000-0000-000000000000", "OperationTypeApply", "",
            "priming@snapstart", "1.11.2", Instant.now().minusSeconds(60).toString(), PATH);

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String digestValue() {
        return md5;
    }

    @Override
    public Optional<LockInfo> lock(String lockPath) {
        return PATH.equals(lockPath) ? Optional.of(lock) : Optional.empty();
    }

    @Override
    public Optional<String> digest(String lockPath) {
        return PATH.equals(lockPath) ? Optional.of(md5) : Optional.empty();
    }

    @Override
    public List<LockTableItem> scan() {
        try {
            StatePath state = StatePath.parse(PATH, "env:");
            return List.of(new LockTableItem.Lock(state, lock), new LockTableItem.Digest(state, md5));
        } catch (MalformedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return BUCKET;
    }

    @Override
    public Optional<ObjectHead> head(String key) {
        return KEY.equals(key)
                ? Optional.of(new ObjectHead(KEY, STATE.length, md5, null, Instant.now(), ObjectHead.Encryption.SSE_S3))
                : Optional.empty();
    }

    @Override
    public Optional<byte[]> prefix(String key, String versionId, int bytes) {
        return KEY.equals(key) ? Optional.of(Arrays.copyOf(STATE, Math.min(bytes, STATE.length))) : Optional.empty();
    }

    @Override
    public Optional<String> md5(String key, String versionId) {
        return KEY.equals(key) ? Optional.of(md5) : Optional.empty();
    }

    @Override
    public List<String> keysEndingWith(String suffix) {
        return KEY.endsWith(suffix) ? List.of(KEY) : List.of();
    }
}

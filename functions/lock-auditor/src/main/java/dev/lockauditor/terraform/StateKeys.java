package dev.lockauditor.terraform;

/** How the S3 backend names objects: a state at its key, its lock file beside it with {@code .tflock}. */
public final class StateKeys {

    public static final String LOCK_FILE_SUFFIX = ".tflock";

    private StateKeys() {
    }

    public static boolean isLockFile(String key) {
        return key.endsWith(LOCK_FILE_SUFFIX) && key.length() > LOCK_FILE_SUFFIX.length();
    }

    /** The state key a lock file locks. */
    public static String stateKeyOfLockFile(String lockFileKey) {
        return lockFileKey.substring(0, lockFileKey.length() - LOCK_FILE_SUFFIX.length());
    }

    public static String lockFileKey(String stateKey) {
        return stateKey + LOCK_FILE_SUFFIX;
    }

    /** The lock path, {@code bucket/key}, that names a state everywhere. */
    public static String lockPath(String bucket, String stateKey) {
        return bucket + "/" + stateKey;
    }

    /** The lock table item that holds a state's digest. */
    public static String digestLockId(String lockPath) {
        return lockPath + LockTableItem.DIGEST_SUFFIX;
    }
}

package dev.lockauditor.terraform;

/**
 * A Terraform state named by its lock path, {@code bucket/state key}: exactly the {@code Path} that
 * Terraform prints in its lock info, and the {@code LockID} of its lock item.
 *
 * @param path      the lock path
 * @param bucket    the state bucket
 * @param key       the state object's key
 * @param workspace the Terraform workspace, {@code default} for the default workspace
 */
public record StatePath(String path, String bucket, String key, String workspace) {

    public static final String DEFAULT_WORKSPACE = "default";

    /**
     * Splits a lock path into bucket and key and names the workspace from the key.
     *
     * @param workspaceKeyPrefix the backend's {@code workspace_key_prefix}: {@code env:} unless configured.
     *        A key {@code <prefix>/<workspace>/<key>} belongs to that workspace, any other key to the default one.
     *        With an empty prefix a key {@code <workspace>/<key>} belongs to that workspace.
     */
    public static StatePath parse(String lockPath, String workspaceKeyPrefix) throws MalformedException {
        int slash = lockPath.indexOf('/');
        if (slash <= 0 || slash == lockPath.length() - 1) {
            throw new MalformedException("not a bucket/key lock path");
        }
        String bucket = lockPath.substring(0, slash);
        String key = lockPath.substring(slash + 1);
        return new StatePath(lockPath, bucket, key, workspaceOf(key, workspaceKeyPrefix));
    }

    private static String workspaceOf(String key, String prefix) {
        String rest;
        if (prefix.isEmpty()) {
            rest = key;
        } else if (key.startsWith(prefix + "/")) {
            rest = key.substring(prefix.length() + 1);
        } else {
            return DEFAULT_WORKSPACE;
        }
        int slash = rest.indexOf('/');
        return slash > 0 && slash < rest.length() - 1 ? rest.substring(0, slash) : DEFAULT_WORKSPACE;
    }

    @Override
    public String toString() {
        return path;
    }
}

package dev.lockauditor.terraform;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an item of a Terraform lock table is: a lock, a state's digest, or something else.
 * Terraform writes exactly two string attributes: {@code LockID} with {@code Info} for a lock,
 * {@code LockID} ending in {@code -md5} with {@code Digest} for a digest.
 */
public sealed interface LockTableItem {

    /** A held lock: the item's {@code Info} is lock info for the state named by {@code LockID}. */
    record Lock(StatePath state, LockInfo info) implements LockTableItem {
    }

    /** A state's digest: the lowercase hex MD5 of the state object's bytes. */
    record Digest(StatePath state, String md5) implements LockTableItem {
    }

    /** Not Terraform's, or not in Terraform's shape; {@code reason} says why, without quoting the content. */
    record Foreign(String reason) implements LockTableItem {
    }

    String DIGEST_SUFFIX = "-md5";
    Pattern MD5_HEX = Pattern.compile("[0-9a-f]{32}");

    /**
     * Classifies an item.
     *
     * @param strings the item's string attributes
     * @param types   every attribute's DynamoDB type ({@code S}, {@code N}, {@code M}, ...), by name
     */
    static LockTableItem classify(Map<String, String> strings, Map<String, String> types, String workspaceKeyPrefix) {
        try {
            String lockId = requireString("LockID", strings, types);
            if (types.containsKey("Info")) {
                String json = requireString("Info", strings, types);
                StatePath state = StatePath.parse(lockId, workspaceKeyPrefix);
                LockInfo info = LockInfo.parse(json);
                if (!info.path().equals(lockId)) {
                    return new Foreign("lock info Path does not match LockID");
                }
                return new Lock(state, info);
            }
            if (types.containsKey("Digest") && lockId.endsWith(DIGEST_SUFFIX)) {
                String md5 = requireString("Digest", strings, types);
                if (!MD5_HEX.matcher(md5).matches()) {
                    return new Foreign("Digest is not a lowercase hex MD5");
                }
                String statePath = lockId.substring(0, lockId.length() - DIGEST_SUFFIX.length());
                return new Digest(StatePath.parse(statePath, workspaceKeyPrefix), md5);
            }
            return new Foreign("neither a lock (Info) nor a digest (LockID ending in -md5 with Digest)");
        } catch (MalformedException e) {
            return new Foreign(e.getMessage());
        }
    }

    private static String requireString(String name, Map<String, String> strings, Map<String, String> types)
            throws MalformedException {
        String type = types.get(name);
        if (type == null) {
            throw new MalformedException("no " + name + " attribute");
        }
        if (!"S".equals(type)) {
            throw new MalformedException(name + " is of type " + type + ", not a string");
        }
        return strings.get(name);
    }
}

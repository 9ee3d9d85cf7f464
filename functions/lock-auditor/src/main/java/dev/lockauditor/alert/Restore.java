package dev.lockauditor.alert;

import dev.lockauditor.history.Facts;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.terraform.StateKeys;
import dev.lockauditor.terraform.StatePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to bring a good version of a state back: which version, what it holds, and the exact commands, printed for a
 * person to run (the auditor never runs them). The version is copied over the current object, which keeps every
 * version in between; with a lock table, the digest item is set to that version's MD5 so that Terraform's check
 * passes.
 *
 * @param md5 the version's MD5, for the digest item; null without a lock table (or when it could not be read)
 */
public record Restore(StatePath state, String versionId, Long serial, String lineage, Instant writtenAt, String md5,
                      String lockTable) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The commands, in the order to run them. */
    public List<String> commands() {
        List<String> commands = new ArrayList<>();
        commands.add("aws s3api copy-object --bucket " + Shell.quote(state.bucket()) + " --key " + Shell.quote(state.key())
                + " --copy-source " + copySource(state, versionId));
        digestCommand().ifPresent(commands::add);
        return commands;
    }

    /** With a lock table, the command that sets the state's digest item to this version's MD5. */
    public java.util.Optional<String> digestCommand() {
        if (lockTable == null || lockTable.isEmpty() || md5 == null) {
            return java.util.Optional.empty();
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("LockID", Map.of("S", StateKeys.digestLockId(state.path())));
        item.put("Digest", Map.of("S", md5));
        return java.util.Optional.of("aws dynamodb put-item --table-name " + Shell.quote(lockTable) + " --item "
                + Shell.quote(json(item)));
    }

    /** The command that removes a delete marker, bringing back the version under it. */
    public static String removeMarkerCommand(StatePath state, String markerVersionId) {
        return "aws s3api delete-object --bucket " + Shell.quote(state.bucket()) + " --key " + Shell.quote(state.key())
                + " --version-id " + Shell.quote(markerVersionId);
    }

    /** As an alert's fact: an object in the alert document. */
    public Map<String, Object> asFact() {
        Map<String, Object> fact = new LinkedHashMap<>();
        fact.put("versionId", versionId);
        Facts.putKnown(fact, "serial", serial);
        Facts.putKnown(fact, "lineage", lineage);
        Facts.putKnown(fact, "writtenAt", writtenAt == null ? null : writtenAt.toString());
        Facts.putKnown(fact, "md5", md5);
        fact.put("commands", commands());
        return fact;
    }

    /** The commands as a remediation reads them. */
    String inWords() {
        return "bring back version " + versionId + (serial == null ? "" : " (serial " + serial + ")")
                + (writtenAt == null ? "" : ", written " + writtenAt) + ": " + String.join(" && ", commands());
    }

    /** JSON for a command's argument (an item, a key), written by Jackson: a value cannot end its string. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The {@code --copy-source} argument: bucket, key and version as written, for the AWS CLI (like every SDK built on
     * botocore) URL-encodes the key itself; encoded here, it would be encoded twice and name no object.
     */
    static String copySource(StatePath state, String versionId) {
        return Shell.quote(state.bucket() + "/" + state.key() + "?versionId=" + versionId);
    }
}

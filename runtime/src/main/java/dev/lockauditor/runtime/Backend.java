package dev.lockauditor.runtime;

import dev.lockauditor.aws.AwsClients;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * One Terraform backend to look at, as {@code audit --backend} names it:
 * {@code bucket=BUCKET[,table=TABLE][,profile=PROFILE][,role=ROLE_ARN][,region=REGION][,environment=NAME]}, with no
 * table for a backend on lock files alone. Its
 * credentials are the named profile's, or the ones in use, and then the role's when one is named (assumed with
 * STS), as Terraform's multi-account layout reaches each account's backend.
 *
 * @param environment the environment of its states no {@code ENVIRONMENTS} pattern names (else
 *                    {@code ENVIRONMENT_NAME})
 */
public record Backend(String table, String bucket, String profile, String role, String region, String environment) {

    private static final java.util.Set<String> KEYS = java.util.Set.of("table", "bucket", "profile", "role", "region",
            "environment");

    public static Backend parse(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : spec.split(",")) {
            int equals = field.indexOf('=');
            String key = equals < 0 ? field.trim() : field.substring(0, equals).trim();
            if (equals < 0 || !KEYS.contains(key) || fields.containsKey(key)) {
                throw new UsageException("--backend takes bucket=BUCKET[,table=TABLE][,profile=P][,role=ARN]"
                        + "[,region=R][,environment=NAME], not '" + spec + "'");
            }
            fields.put(key, field.substring(equals + 1).trim());
        }
        if (fields.getOrDefault("bucket", "").isEmpty()) {
            throw new UsageException("--backend needs bucket= (and table= when the backend has a lock table): '"
                    + spec + "'");
        }
        return new Backend(fields.getOrDefault("table", ""), fields.get("bucket"), fields.get("profile"), fields.get("role"),
                fields.get("region"), fields.get("environment"));
    }

    /** Whether it has a lock table (else it is on lock files alone). */
    public boolean hasLockTable() {
        return table != null && !table.isEmpty();
    }

    /** How the report names it. */
    public String label() {
        return (hasLockTable() ? table + " / " + bucket : bucket + " (lock files)")
                + (role != null ? " as " + role : profile != null ? " (profile " + profile + ")" : "");
    }

    /** The settings it is read with: the command's, with its own region and default environment. */
    public Map<String, String> settings(Map<String, String> env) {
        Map<String, String> settings = new HashMap<>(env);
        settings.put("LOCK_TABLE", table);
        settings.put("STATE_BUCKET", bucket);
        if (region != null) {
            settings.put("AWS_REGION", region);
        }
        if (environment != null) {
            settings.put("ENVIRONMENT_NAME", environment);
        }
        if (profile != null) {
            // The profile's credentials, not the ones in the environment.
            settings.remove("AWS_ACCESS_KEY_ID");
            settings.remove("AWS_SECRET_ACCESS_KEY");
            settings.remove("AWS_SESSION_TOKEN");
        }
        return settings;
    }

    /** Clients that act in its account: the profile's credentials, then the role's. */
    public AwsClients clients(Map<String, String> settings) {
        AwsClients clients = LocalResources.clients(settings);
        if (profile != null) {
            ProfileCredentialsProvider.Builder named = ProfileCredentialsProvider.builder().profileName(profile);
            String file = settings.get("AWS_SHARED_CREDENTIALS_FILE");
            if (file != null && !file.isBlank()) {
                named.profileFile(ProfileFile.builder().content(Path.of(file)).type(ProfileFile.Type.CREDENTIALS).build());
            }
            clients = clients.withCredentials(named.build());
        }
        if (role != null) {
            StsClient sts = clients.client(StsClient.builder());
            AwsCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
                    .refreshRequest(r -> r.roleArn(role).roleSessionName("terraform-lock-auditor-audit")).build();
            clients = clients.withCredentials(assumed);
        }
        return clients;
    }
}

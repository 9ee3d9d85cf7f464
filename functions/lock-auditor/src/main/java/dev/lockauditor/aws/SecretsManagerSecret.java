package dev.lockauditor.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A secret's value from Secrets Manager, cached between invocations for a while (a rotated value is picked
 * up within {@code ttl}). A value that is JSON with a {@code url} or {@code webhookUrl} field yields that field.
 */
public final class SecretsManagerSecret implements Supplier<String> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretsManagerClient secrets;
    private final String secretArn;
    private final Duration ttl;
    private final Clock clock;
    private String value;
    private Instant fetchedAt;

    public SecretsManagerSecret(SecretsManagerClient secrets, String secretArn, Duration ttl, Clock clock) {
        this.secrets = secrets;
        this.secretArn = secretArn;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized String get() {
        Instant now = clock.instant();
        if (value == null || now.isAfter(fetchedAt.plus(ttl))) {
            value = unwrap(secrets.getSecretValue(b -> b.secretId(secretArn)).secretString());
            fetchedAt = now;
        }
        return value;
    }

    static String unwrap(String secret) {
        String text = secret == null ? "" : secret.trim();
        if (text.startsWith("{")) {
            try {
                JsonNode json = JSON.readTree(text);
                for (String field : new String[] {"url", "webhookUrl", "webhook_url"}) {
                    if (json.hasNonNull(field)) {
                        return json.get(field).asText();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("the Slack webhook secret is neither a URL nor JSON with a url field");
            }
        }
        return text;
    }
}

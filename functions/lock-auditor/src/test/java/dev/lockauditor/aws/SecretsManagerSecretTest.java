package dev.lockauditor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SecretsManagerSecretTest {

    static final String URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    @Test
    void theSecretIsTheUrlOrJsonWithAUrlField() {
        assertEquals(URL, SecretsManagerSecret.unwrap(URL));
        assertEquals(URL, SecretsManagerSecret.unwrap("  " + URL + "\n"));
        assertEquals(URL, SecretsManagerSecret.unwrap("{\"url\":\"" + URL + "\"}"));
        assertEquals(URL, SecretsManagerSecret.unwrap("{\"webhookUrl\":\"" + URL + "\"}"));
        assertEquals(URL, SecretsManagerSecret.unwrap("{\"webhook_url\":\"" + URL + "\",\"channel\":\"#infra\"}"));
    }

    @Test
    void aMalformedSecretIsRefusedWithoutQuotingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SecretsManagerSecret.unwrap("{\"url\": " + URL));
        assertFalse(e.getMessage().contains("hooks.slack.com"));
    }
}

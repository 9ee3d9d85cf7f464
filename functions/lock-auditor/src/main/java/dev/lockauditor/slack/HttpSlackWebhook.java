package dev.lockauditor.slack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Posts to a Slack incoming webhook over HTTPS. Any failure throws, so that the invocation fails and Lambda retries
 * it later (an SNS-triggered function is invoked asynchronously: two retries, a minute and then two apart, then the
 * dead-letter queue); a {@code 429} is not waited out inside the invocation. The URL is a secret: it appears in no
 * log line and no exception.
 */
public final class HttpSlackWebhook implements SlackWebhook {

    private final Supplier<String> url;

    /** @param url the webhook's URL, looked up when needed (it comes from Secrets Manager) */
    public HttpSlackWebhook(Supplier<String> url) {
        this.url = url;
    }

    @Override
    public void post(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        int status;
        String retryAfter;
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url.get()).toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(10_000);
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json; charset=utf-8");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            status = connection.getResponseCode();
            retryAfter = connection.getHeaderField("Retry-After");
            drain(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            connection.disconnect();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("posting to the Slack webhook failed: " + e.getClass().getSimpleName());
        }
        if (status == 429) {
            throw new IllegalStateException("the Slack webhook is rate limiting (HTTP 429"
                    + (retryAfter == null ? "" : ", Retry-After " + retryAfter.trim() + " s") + "); Lambda retries later");
        }
        if (status < 200 || status >= 300) {
            throw new IllegalStateException("the Slack webhook answered HTTP " + status);
        }
    }

    private static void drain(InputStream in) throws IOException {
        if (in != null) {
            try (in) {
                in.readAllBytes();
            }
        }
    }
}

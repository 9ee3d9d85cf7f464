package dev.lockauditor.slack;

import dev.lockauditor.audit.Sleeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Posts to a Slack incoming webhook over HTTPS. A {@code 429} is waited out as its {@code Retry-After} says
 * (a few times, up to {@value #MAX_WAIT_SECONDS} seconds each); any other failure throws, so that the
 * invocation fails and SNS retries it. The URL is a secret: it appears in no log line and no exception.
 */
public final class HttpSlackWebhook implements SlackWebhook {

    static final int ATTEMPTS = 4;
    static final int MAX_WAIT_SECONDS = 30;

    private final Supplier<String> url;
    private final Sleeper sleeper;

    /** @param url the webhook's URL, looked up when needed (it comes from Secrets Manager) */
    public HttpSlackWebhook(Supplier<String> url, Sleeper sleeper) {
        this.url = url;
        this.sleeper = sleeper;
    }

    @Override
    public void post(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 1; ; attempt++) {
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
            if (status >= 200 && status < 300) {
                return;
            }
            if (status != 429 || attempt == ATTEMPTS) {
                throw new IllegalStateException("the Slack webhook answered HTTP " + status);
            }
            Sleeper.pause(sleeper, Duration.ofSeconds(retryAfterSeconds(retryAfter)));
        }
    }

    static long retryAfterSeconds(String header) {
        try {
            return Math.max(1, Math.min(MAX_WAIT_SECONDS, Long.parseLong(header == null ? "1" : header.trim())));
        } catch (NumberFormatException e) {
            return 1;
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

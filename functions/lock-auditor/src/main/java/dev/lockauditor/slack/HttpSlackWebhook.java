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
 *
 * <p>It posts only to Slack: an {@code https} URL on {@code hooks.slack.com} or {@code hooks.slack-gov.com} (GovSlack).
 * Whoever can change the secret could otherwise send every alert (state paths, holders, account ids) anywhere. A
 * loopback URL is taken only where the AWS endpoint is on loopback too: local runs and tests.
 *
 * @param url             the webhook's URL, looked up when needed (it comes from Secrets Manager)
 * @param loopbackAllowed whether a URL on this machine is taken: only where AWS itself is emulated on it
 */
public record HttpSlackWebhook(Supplier<String> url, boolean loopbackAllowed) implements SlackWebhook {

    /** Slack's incoming-webhook hosts. */
    static final java.util.Set<String> SLACK_HOSTS = java.util.Set.of("hooks.slack.com", "hooks.slack-gov.com");

    /** Whether an endpoint (the AWS endpoint the clients use, or null for AWS itself) is on this machine. */
    public static boolean isLoopback(URI endpoint) {
        if (endpoint == null || endpoint.getHost() == null) {
            return false;
        }
        String host = endpoint.getHost();
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1");
    }

    /** Why a webhook URL is refused, without quoting it; null when it is Slack's. */
    String refusal(String candidate) {
        URI uri;
        try {
            uri = URI.create(candidate.strip());
        } catch (IllegalArgumentException e) {
            return "the webhook secret does not hold a URL";
        }
        if (uri.getUserInfo() != null) {
            return "the webhook URL carries a user name or password";
        }
        if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
                && SLACK_HOSTS.contains(uri.getHost().toLowerCase(java.util.Locale.ROOT)) && uri.getPort() == -1) {
            return null;
        }
        if (loopbackAllowed && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                && isLoopback(uri)) {
            return null;
        }
        return "the webhook URL is not a Slack incoming webhook (https://hooks.slack.com/... or "
                + "https://hooks.slack-gov.com/...)" + (isLoopback(uri) ? ": a URL on this machine is taken only "
                + "where the AWS endpoint is on this machine too" : "");
    }

    @Override
    public void post(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String target = url.get();
        String refused = refusal(target);
        if (refused != null) {
            throw new IllegalStateException("refused to post to Slack: " + refused
                    + "; nothing was posted, and Lambda retries this alert (then its dead-letter queue keeps it)");
        }
        int status;
        String retryAfter;
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(target.strip()).toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setInstanceFollowRedirects(false);
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

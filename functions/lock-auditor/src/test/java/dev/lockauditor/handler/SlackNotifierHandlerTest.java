package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.lockauditor.alert.Severity;
import dev.lockauditor.audit.TestTime;
import dev.lockauditor.slack.HttpSlackWebhook;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** The Slack notifier posting the sample SNS event to a webhook served on this machine. */
@EnabledIf("samplesPresent")
class SlackNotifierHandlerTest {

    static boolean samplesPresent() {
        return SlackNotifierHandlerTest.class.getResource("/events/sns-alert.json") != null;
    }

    static final String SECRET_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    final List<String> posted = new CopyOnWriteArrayList<>();
    final List<Integer> answers = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final TestTime time = new TestTime(Instant.parse("2025-03-14T11:30:00Z"));
    final TestContext context = new TestContext();
    HttpServer server;

    @BeforeEach
    void startSlack() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = answers.isEmpty() ? 200 : answers.remove(0);
            if (status == 429) {
                exchange.getResponseHeaders().add("Retry-After", "3");
            } else if (status == 200) {
                posted.add(body);
            }
            byte[] reply = (status == 200 ? "ok" : "rate_limited").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopSlack() {
        server.stop(0);
    }

    SlackNotifierHandler handler(Severity minimum) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + SECRET_PATH;
        return new SlackNotifierHandler(new HttpSlackWebhook(() -> url, true), minimum);
    }

    @Test
    void anAlertIsPostedAsBlockKit() throws Exception {
        SNSEvent event = EventLoader.loadSNSEvent("events/sns-alert.json");

        handler(Severity.INFO).handleRequest(event, context);

        assertEquals(1, posted.size());
        JsonNode message = new ObjectMapper().readTree(posted.get(0));
        assertTrue(message.get("text").asText().startsWith("[WARNING] Stale lock on acme-tfstate/"));
        assertEquals("header", message.at("/blocks/0/type").asText());
        assertTrue(message.toString().contains("terraform force-unlock 9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382"));
    }

    @Test
    void a429FailsTheInvocationAtOnceSoThatLambdaRetriesItLater() {
        answers.add(429);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> handler(Severity.INFO).handleRequest(EventLoader.loadSNSEvent("events/sns-alert.json"), context));

        assertEquals("the Slack webhook is rate limiting (HTTP 429, Retry-After 3 s); Lambda retries later", e.getMessage());
        assertEquals(1, requests.get(), "not waited out inside the invocation");
    }

    @Test
    void anyOtherFailureFailsTheInvocationWithoutNamingTheWebhook() {
        answers.add(500);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> handler(Severity.INFO).handleRequest(EventLoader.loadSNSEvent("events/sns-alert.json"), context));

        assertEquals("the Slack webhook answered HTTP 500", e.getMessage());
        assertFalse(String.join("\n", context.lines).contains(SECRET_PATH));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "https://evil.example/services/T0/B0/XXXX",
            "https://hooks.slack.com.evil.example/services/T0/B0/XXXX",
            "https://hooks.slack.com@evil.example/services/T0/B0/XXXX",
            "https://user:pass@hooks.slack.com/services/T0/B0/XXXX",
            "http://hooks.slack.com/services/T0/B0/XXXX",
            "https://hooks.slack.com:8443/services/T0/B0/XXXX",
            "file:///etc/passwd",
            "not a url at all",
    })
    void aWebhookSecretNamingAnyOtherHostPostsNothingAndSaysWhyWithoutTheUrl(String url) {
        SlackNotifierHandler handler = new SlackNotifierHandler(new HttpSlackWebhook(() -> url, false), Severity.INFO);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> handler.handleRequest(EventLoader.loadSNSEvent("events/sns-alert.json"), context));

        assertTrue(e.getMessage().startsWith("refused to post to Slack: "), e.getMessage());
        assertTrue(e.getMessage().contains("Lambda retries this alert"), "the alert is not lost: " + e.getMessage());
        String logged = String.join("\n", context.lines);
        assertTrue(logged.contains("not posted: refused to post to Slack"), logged);
        for (String part : new String[] {"evil.example", "passwd", "XXXX", "user:pass", "8443"}) {
            assertFalse(logged.contains(part) || e.getMessage().contains(part), "the URL is a secret: " + logged);
        }
        assertEquals(0, requests.get());
    }

    @Test
    void aLoopbackWebhookIsTakenOnlyWhereTheAwsEndpointIsOnLoopbackToo() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + SECRET_PATH;
        SlackNotifierHandler onAws = new SlackNotifierHandler(new HttpSlackWebhook(() -> url, false), Severity.INFO);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> onAws.handleRequest(EventLoader.loadSNSEvent("events/sns-alert.json"), context));
        assertTrue(e.getMessage().contains("only where the AWS endpoint is on this machine too"), e.getMessage());
        assertEquals(0, requests.get());

        handler(Severity.INFO).handleRequest(EventLoader.loadSNSEvent("events/sns-alert.json"), context);
        assertEquals(1, requests.get());
        assertTrue(HttpSlackWebhook.isLoopback(java.net.URI.create("http://127.0.0.1:5000")));
        assertTrue(HttpSlackWebhook.isLoopback(java.net.URI.create("http://localhost:5000")));
        assertFalse(HttpSlackWebhook.isLoopback(java.net.URI.create("https://dynamodb.eu-west-1.amazonaws.com")));
        assertFalse(HttpSlackWebhook.isLoopback(null));
    }

    @Test
    void alertsBelowTheMinimumSeverityAreNotPosted() {
        handler(Severity.HIGH).handleRequest(EventLoader.loadSNSEvent("events/sns-alert.json"), context);

        assertEquals(0, requests.get());
        assertTrue(context.lines.get(0).contains("STALE_LOCK is WARNING, below SLACK_MIN_SEVERITY HIGH"));
    }

    @Test
    void theStacksAlarmsArePostedAsOneLine() throws Exception {
        SNSEvent event = EventLoader.loadSNSEvent("events/sns-alarm.json");

        handler(Severity.INFO).handleRequest(event, context);

        assertTrue(new ObjectMapper().readTree(posted.get(0)).get("text").asText().startsWith(
                ":rotating_light: CloudWatch alarm *terraform-lock-auditor-production-StateEventsDeadLetterAlarm-1A2B3C4D5E6F*"
                        + " is ALARM: Threshold Crossed"));
    }
}

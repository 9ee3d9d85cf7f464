package dev.lockauditor.cli;

import dev.lockauditor.testsupport.HistoryTable;
import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.config.Environments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertRaiser;
import dev.lockauditor.alert.Alerts;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.SnsAlertPublisher;
import dev.lockauditor.testsupport.LocalWebhook;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StatePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Alerts on their way to people, on moto: the stale lock sweep of {@code bin/lock-auditor local}, the alert
 * topic with queue subscriptions and filter policies, and the Slack notifier posting to a webhook named by a
 * secret.
 */
class AlertDeliveryIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static int run;

    final AwsClients aws = AwsClients.forTools(MotoServer.environment());
    final SqsClient sqs = aws.client(SqsClient.builder());
    final SnsClient sns = aws.sns();
    LocalWebhook webhook;

    @BeforeEach
    void startSlack() throws Exception {
        webhook = new LocalWebhook();
    }

    @AfterEach
    void stopSlack() {
        webhook.close();
    }

    /** A queue subscribed to the topic, with a filter policy or none; returns its URL. */
    String subscribedQueue(String topicArn, String name, String filterPolicy) {
        String url = sqs.createQueue(b -> b.queueName(name)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(arn)
                .attributes(filterPolicy == null ? Map.of() : Map.of("FilterPolicy", filterPolicy)));
        return url;
    }

    List<Message> receive(String queueUrl) {
        List<Message> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages());
        }
        return all;
    }

    static JsonNode envelope(Message message) throws Exception {
        return JSON.readTree(message.body());
    }

    @Test
    void oneAlertReachesEachSubscriberInItsOwnFormatAndFiltersApply() throws Exception {
        String topic = sns.createTopic(b -> b.name("delivery-" + ++run)).topicArn();
        String everything = subscribedQueue(topic, "everything-" + run, null);
        String criticalOnly = subscribedQueue(topic, "critical-" + run, "{\"severity\":[\"CRITICAL\"]}");
        List<PublishRequest> published = new CopyOnWriteArrayList<>();
        AwsClients capturing = aws.withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PublishRequest request) {
                    published.add(request);
                }
            }
        });
        SnsAlertPublisher publisher = new SnsAlertPublisher(capturing.sns(), topic,
                new AlertDocument.Origin(Environments.only("production"), "123456789012", "us-east-1", "terraform-locks"));
        StatePath state = new StatePath("acme-tfstate/env:/prod/app.tfstate", "acme-tfstate", "env:/prod/app.tfstate", "prod");
        LockInfo lock = new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "", "ci@runner-7f9c",
                "1.11.2", "2025-03-14T09:26:53Z", state.path());
        Alerts alerts = new Alerts("terraform-locks");
        AlertRaiser raiser = new AlertRaiser(alerts, alert -> {
            publisher.publish(alert);
            return true;
        }, java.time.Clock.systemUTC());
        Instant created = Instant.parse("2025-03-14T09:26:53Z");

        raiser.staleLock(created, lock.id(), 0, alerts.staleLock(state, lock, 7200, Duration.ofMinutes(60), false));
        raiser.digestMismatch(created, "8b1a9953c4611296a827abf8c47804d7", "ad37533d627aecda1ac35c00e2ee3a7f", "x",
                alerts.digestMismatch(state, "8b1a9953c4611296a827abf8c47804d7", "ad37533d627aecda1ac35c00e2ee3a7f",
                        Alerts.MismatchCause.CHANGED_OUTSIDE_TERRAFORM, null));

        List<Message> all = receive(everything);
        assertEquals(2, all.size());
        JsonNode staleEnvelope = envelope(all.get(0));
        JsonNode document = JSON.readTree(staleEnvelope.get("Message").asText());
        assertEquals("STALE_LOCK", document.get("type").asText());
        assertEquals(1, document.get("schemaVersion").asInt());
        assertEquals("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", document.at("/lock/ID").asText());
        assertEquals("[WARNING] STALE_LOCK production acme-tfstate/env:/prod/app.tfstate", staleEnvelope.get("Subject").asText());
        assertEquals("WARNING", staleEnvelope.at("/MessageAttributes/severity/Value").asText());
        assertEquals("acme-tfstate/env:/prod/app.tfstate", staleEnvelope.at("/MessageAttributes/statePath/Value").asText());

        List<Message> critical = receive(criticalOnly);
        assertEquals(1, critical.size(), "the filter policy lets only CRITICAL through");
        assertEquals("DIGEST_MISMATCH", JSON.readTree(envelope(critical.get(0)).get("Message").asText()).get("type").asText());

        JsonNode structure = JSON.readTree(published.get(0).message());
        assertEquals("json", published.get(0).messageStructure());
        assertTrue(structure.get("email").asText().startsWith("STALE_LOCK (WARNING) in production\n\n"),
                structure.get("email").asText());
        assertTrue(structure.get("email").asText().contains("terraform force-unlock 9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382"));
        assertEquals("custom", JSON.readTree(structure.get("https").asText()).get("source").asText());
        assertEquals(document, JSON.readTree(structure.get("lambda").asText()));
    }

    /**
     * One stack watching a backend with {@code prod} and {@code staging} workspaces (Terraform's multi-account layout,
     * environments by workspace): production alerts reach the on-call queue and staging alerts the other, through SNS
     * filter policies on the {@code environment} attribute.
     */
    @Test
    void productionAlertsReachOnCallAndTheRestTheChannelThroughFilterPoliciesOnEnvironment() throws Exception {
        TerraformBackend backend = new TerraformBackend("envs" + ++run).createLockTable(StreamViewType.NEW_AND_OLD_IMAGES)
                .createBucket();
        String topic = sns.createTopic(b -> b.name("env-alerts-" + run)).topicArn();
        String onCall = subscribedQueue(topic, "on-call-" + run, "{\"environment\":[\"production\"]}");
        String channel = subscribedQueue(topic, "channel-" + run, "{\"environment\":[\"staging\", \"shared\"]}");
        OutputLines out = new OutputLines();
        OutputLines err = new OutputLines();
        Map<String, String> env = MotoServer.environment();
        env.put("LOCK_TABLE", backend.lockTable);
        env.put("STATE_BUCKET", backend.bucket);
        env.put("HISTORY_TABLE", "env-history-" + run);
        env.put("ALERT_TOPIC_ARN", topic);
        env.put("LOCK_EVENT_LAG_SECONDS", "2");
        env.put("ENVIRONMENT_NAME", "shared");
        env.put("ENVIRONMENTS", "production=env:/prod/*;staging=env:/staging/*");
        Thread runner = new Thread(() -> Main.run(List.of("local", "--duration", "120"), env, out.stream, err.stream));
        runner.start();
        try {
            out.await(OutputLines.record("ready"), 1, 60);
            String state = "{\"version\": 4, \"serial\": 1, \"lineage\": \"7c1e9d52-3b8a-4f0e-9a61-2d5c8b7e4f13\"}";
            backend.putState("env:/prod/app/terraform.tfstate", state);     // unlocked, in production
            backend.putState("env:/staging/app/terraform.tfstate", state);  // unlocked, in staging
            // The first sweep's backfill notice is about the backend: in the stack's own environment, shared.
            List<JsonNode> alerts = out.await(line -> OutputLines.record("alert").test(line)
                    && !line.get("type").asText().equals("BACKFILL_COMPLETED"), 2, 60);
            assertEquals(List.of("production", "staging"), alerts.stream().map(a -> a.get("environment").asText())
                    .sorted().toList());
            JsonNode written = out.await(line -> line.path("event").asText().equals("STATE_WRITTEN")
                    && line.path("key").asText().startsWith("env:/prod/"), 1, 10).get(0);
            assertEquals("production", written.get("environment").asText(), "history says the environment too");
        } finally {
            runner.interrupt();
            runner.join(15_000);
        }

        List<Message> paged = receive(onCall);
        assertEquals(1, paged.size());
        JsonNode production = envelope(paged.get(0));
        assertEquals("production", production.at("/MessageAttributes/environment/Value").asText());
        assertEquals(backend.lockPath("env:/prod/app/terraform.tfstate"),
                JSON.readTree(production.get("Message").asText()).get("statePath").asText());
        assertTrue(production.get("Subject").asText().contains(" production "), production.get("Subject").asText());
        List<String> posted = new java.util.ArrayList<>();
        for (Message message : receive(channel)) {
            JsonNode attributes = envelope(message).get("MessageAttributes");
            posted.add(attributes.at("/type/Value").asText() + " " + attributes.at("/environment/Value").asText());
        }
        assertEquals(List.of("BACKFILL_COMPLETED shared", "UNLOCKED_WRITE staging"), posted.stream().sorted().toList());
        var item = HistoryTable.read(aws.dynamoDb(), "env-history-" + run,
                backend.lockPath("env:/staging/app/terraform.tfstate")).get(0);
        assertEquals("staging", item.get("environment").s());
    }

    @Test
    void aLockTakenTwoHoursAgoIsAlertedOnceItsReleaseAnnouncedAndSlackGetsBlockKit() throws Exception {
        TerraformBackend backend = new TerraformBackend("stale" + ++run).createLockTable(StreamViewType.NEW_AND_OLD_IMAGES);
        String topic = sns.createTopic(b -> b.name("stale-alerts-" + run)).topicArn();
        String queue = subscribedQueue(topic, "stale-everything-" + run, null);
        String key = "env:/staging/network/terraform.tfstate";
        String path = backend.lockPath(key);
        LockInfo lock = new LockInfo("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "", "ci@runner-7f9c",
                "1.11.2", Instant.now().minus(Duration.ofHours(2)).toString(), path);
        backend.putItem(Map.of("LockID", AttributeValue.fromS(path), "Info", AttributeValue.fromS(lock.toJson())));

        OutputLines out = new OutputLines();
        OutputLines err = new OutputLines();
        Map<String, String> env = MotoServer.environment();
        env.put("LOCK_TABLE", backend.lockTable);
        env.put("HISTORY_TABLE", "stale-history-" + run);
        env.put("ALERT_TOPIC_ARN", topic);
        Thread runner = new Thread(() -> Main.run(List.of("local", "--sweep-every", "1", "--duration", "120"), env,
                out.stream, err.stream));
        runner.start();
        try {
            out.await(OutputLines.record("ready"), 1, 60);
            out.await(OutputLines.record("alert"), 1, 60);
            Thread.sleep(4_000);
            assertEquals(1, out.matching(OutputLines.record("alert")).size(), "one alert, not one per sweep");
            backend.unlock(key, lock.id());
            JsonNode cleared = out.await(OutputLines.record("alert"), 2, 60).get(1);
            assertEquals("STALE_LOCK_CLEARED", cleared.get("type").asText());
            assertTrue(cleared.get("heldForSeconds").asLong() >= 7200);
        } finally {
            runner.interrupt();
            runner.join(15_000);
        }

        List<Message> delivered = receive(queue);
        assertEquals(List.of("STALE_LOCK", "STALE_LOCK_CLEARED"), delivered.stream()
                .map(m -> {
                    try {
                        return JSON.readTree(envelope(m).get("Message").asText()).get("type").asText();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList());

        // The same STALE_LOCK notification, as Lambda hands it to SlackNotifierFunction, through bin/lock-auditor invoke.
        String secretArn = aws.secretsManager().createSecret(b -> b.name("slack-webhook-" + run)
                .secretString("{\"url\":\"" + webhook.url("/services/T0/B0/XYZ") + "\"}")).arn();
        ObjectNode snsEvent = JSON.createObjectNode();
        snsEvent.putArray("Records").addObject()
                .put("EventSource", "aws:sns").put("EventVersion", "1.0")
                .put("EventSubscriptionArn", topic + ":slack")
                .set("Sns", envelope(delivered.get(0)));
        Path eventFile = Files.createTempFile("sns-stale-lock", ".json");
        Files.writeString(eventFile, snsEvent.toString());
        Map<String, String> slackEnv = MotoServer.environment();
        slackEnv.put("SLACK_WEBHOOK_SECRET_ARN", secretArn);

        BinLockAuditorIntegrationTest.Run invoked = BinLockAuditorIntegrationTest.run(slackEnv, "invoke",
                "SlackNotifierFunction", eventFile.toString());

        assertEquals(0, invoked.status(), invoked.err());
        assertEquals(1, webhook.posts.size());
        JsonNode message = JSON.readTree(webhook.posts.get(0));
        assertEquals("header", message.at("/blocks/0/type").asText());
        assertTrue(message.toString().contains("terraform force-unlock 9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382"));
        assertFalse(invoked.err().contains("/services/T0/B0/XYZ"), "the webhook URL is never logged");
    }
}

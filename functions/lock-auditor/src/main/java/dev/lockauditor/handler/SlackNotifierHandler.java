package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.alert.AlertMessages;
import dev.lockauditor.alert.Severity;
import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.aws.SecretsManagerSecret;
import dev.lockauditor.config.Config;
import dev.lockauditor.slack.HttpSlackWebhook;
import dev.lockauditor.slack.SlackWebhook;
import java.time.Clock;
import java.time.Duration;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code SlackNotifierFunction}: subscribed to the alert topic, posts each alert to Slack as a Block Kit message
 * (and the stack's CloudWatch alarms as one line). Alerts less severe than {@code SLACK_MIN_SEVERITY} are left
 * out. When Slack does not take a message the invocation fails, so that SNS retries it.
 */
public class SlackNotifierHandler implements RequestHandler<SNSEvent, Void>, Resource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SECRET_TTL = Duration.ofMinutes(15);

    private final SlackWebhook webhook;
    private final Severity minSeverity;
    private final Runnable sdkPriming;

    /** The constructor Lambda calls: wires everything from the environment, once per execution environment. */
    public SlackNotifierHandler() {
        this(Config.fromEnvironment(), AwsClients.forLambda(System.getenv()));
        Core.getGlobalContext().register(this);
    }

    public SlackNotifierHandler(Config config, AwsClients aws) {
        this(new HttpSlackWebhook(new SecretsManagerSecret(aws.secretsManager(),
                        Config.required("SLACK_WEBHOOK_SECRET_ARN", config.alerting().slackWebhookSecretArn()), SECRET_TTL,
                        Clock.systemUTC()), HttpSlackWebhook.isLoopback(aws.endpoint())),
                Severity.named(config.alerting().slackMinSeverity(), "SLACK_MIN_SEVERITY"),
                () -> Priming.secret(aws, config.alerting().slackWebhookSecretArn()));
    }

    public SlackNotifierHandler(SlackWebhook webhook, Severity minSeverity) {
        this(webhook, minSeverity, () -> { });
    }

    private SlackNotifierHandler(SlackWebhook webhook, Severity minSeverity, Runnable sdkPriming) {
        this.webhook = webhook;
        this.minSeverity = minSeverity;
        this.sdkPriming = sdkPriming;
    }

    @Override
    public Void handleRequest(SNSEvent event, Context context) {
        for (SNSEvent.SNSRecord record : event.getRecords()) {
            try {
                post(record.getSNS().getMessageId(), record.getSNS().getMessage(), context.getLogger());
            } catch (IllegalStateException e) {
                context.getLogger().log("SNS message " + record.getSNS().getMessageId() + " not posted: "
                        + e.getMessage(), LogLevel.ERROR);
                throw e;
            }
        }
        return null;
    }

    private void post(String messageId, String message, LambdaLogger log) {
        JsonNode document;
        try {
            document = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            log.log("skipped SNS message " + messageId + ": not JSON", LogLevel.WARN);
            return;
        }
        if (document.has("schemaVersion") && document.has("type")) {
            Severity severity = Severity.named(document.path("severity").asText("INFO"), "an alert's severity");
            if (!severity.atLeast(minSeverity)) {
                log.log("not posted to Slack: " + document.path("type").asText() + " is " + severity
                        + ", below SLACK_MIN_SEVERITY " + minSeverity, LogLevel.INFO);
                return;
            }
            webhook.post(AlertMessages.slack(document).toString());
            log.log("posted " + document.path("type").asText() + " on " + document.path("statePath").asText()
                    + " to Slack", LogLevel.INFO);
        } else if (document.has("AlarmName")) {
            webhook.post(AlertMessages.slackAlarm(document).toString());
            log.log("posted alarm " + document.path("AlarmName").asText() + " to Slack", LogLevel.INFO);
        } else {
            log.log("skipped SNS message " + messageId + ": neither an alert nor a CloudWatch alarm", LogLevel.WARN);
        }
    }

    /** SnapStart: builds one message of each kind before the snapshot, posting nothing. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        SlackWebhook discard = json -> { };
        SlackNotifierHandler primed = new SlackNotifierHandler(discard, Severity.INFO);
        primed.post("priming", Priming.alertDocument(), Priming.LOGGER);
        Priming.runtimeSerialization(SNSEvent.class, Priming.snsEvent(), null);
        sdkPriming.run();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: the webhook URL is fetched on first use.
    }
}

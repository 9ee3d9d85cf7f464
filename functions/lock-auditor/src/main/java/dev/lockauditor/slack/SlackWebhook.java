package dev.lockauditor.slack;

/** A Slack incoming webhook. */
public interface SlackWebhook {

    /**
     * Posts a message (Block Kit JSON).
     *
     * @throws RuntimeException when Slack did not take it; the message never carries the webhook's URL
     */
    void post(String json);
}

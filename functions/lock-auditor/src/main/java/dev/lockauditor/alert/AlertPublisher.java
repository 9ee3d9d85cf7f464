package dev.lockauditor.alert;

/** Delivers an alert to people (the alert topic). */
public interface AlertPublisher {

    /** @throws RuntimeException when the alert could not be delivered; a retry can deliver it */
    void publish(Alert alert);
}

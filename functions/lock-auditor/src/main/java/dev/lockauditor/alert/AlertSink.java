package dev.lockauditor.alert;

/** Where alerts go. */
public interface AlertSink {

    /**
     * Raises an alert once: an alert whose identity was raised before is not raised again.
     *
     * @return whether it was raised now
     * @throws RuntimeException when it could not be raised; a retry can raise it
     */
    boolean raise(Alert alert);
}

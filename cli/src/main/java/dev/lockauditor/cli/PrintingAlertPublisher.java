package dev.lockauditor.cli;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertPublisher;
import java.util.LinkedHashMap;
import java.util.Map;

/** Publishes an alert through another publisher, then prints its document as an {@code alert} line. */
final class PrintingAlertPublisher implements AlertPublisher {

    private final AlertPublisher delegate;
    private final AlertDocument.Origin origin;
    private final JsonLines lines;

    PrintingAlertPublisher(AlertPublisher delegate, AlertDocument.Origin origin, JsonLines lines) {
        this.delegate = delegate;
        this.origin = origin;
        this.lines = lines;
    }

    @Override
    public void publish(Alert alert) {
        delegate.publish(alert);
        Map<String, Object> document = new LinkedHashMap<>();
        AlertDocument.of(alert, origin).fields().forEachRemaining(field -> document.put(field.getKey(), field.getValue()));
        lines.print("alert", document);
    }
}

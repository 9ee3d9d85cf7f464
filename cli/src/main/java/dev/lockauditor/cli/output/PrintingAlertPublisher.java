package dev.lockauditor.cli.output;

import dev.lockauditor.alert.Alert;
import dev.lockauditor.alert.AlertDocument;
import dev.lockauditor.alert.AlertPublisher;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;

/** Publishes an alert through another publisher, then prints its document as an {@code alert} line. */
public final class PrintingAlertPublisher implements AlertPublisher {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> DOCUMENT = new TypeReference<>() { };

    private final AlertPublisher delegate;
    private final AlertDocument.Origin origin;
    private final Lines lines;

    public PrintingAlertPublisher(AlertPublisher delegate, AlertDocument.Origin origin, Lines lines) {
        this.delegate = delegate;
        this.origin = origin;
        this.lines = lines;
    }

    @Override
    public void publish(Alert alert) {
        delegate.publish(alert);
        lines.print("alert", JSON.convertValue(AlertDocument.of(alert, origin), DOCUMENT));
    }
}

package dev.lockauditor.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.terraform.LockInfo;
import java.util.Map;

/**
 * The alert document (schema version 1): one JSON object that machine subscribers, the local runner and
 * every message format are made from.
 */
public final class AlertDocument {

    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where alerts come from.
     *
     * @param environment the environment's name ({@code ENVIRONMENT_NAME})
     * @param account     the AWS account of the backend
     * @param region      the AWS region of the backend
     */
    public record Origin(String environment, String account, String region) {

        /** The account and region from an ARN (the alert topic's), or empty ones. */
        public static Origin of(String environment, String arn, String fallbackRegion) {
            String[] parts = arn == null ? new String[0] : arn.split(":");
            return parts.length >= 6
                    ? new Origin(environment, parts[4], parts[3])
                    : new Origin(environment, "", fallbackRegion);
        }
    }

    private AlertDocument() {
    }

    public static ObjectNode of(Alert alert, Origin origin) {
        ObjectNode document = JSON.createObjectNode();
        document.put("schemaVersion", SCHEMA_VERSION);
        document.put("type", alert.type().name());
        document.put("severity", alert.severity().name());
        document.put("environment", origin.environment());
        document.put("account", origin.account());
        document.put("region", origin.region());
        document.put("statePath", alert.state().path());
        document.put("bucket", alert.state().bucket());
        document.put("key", alert.state().key());
        document.put("workspace", alert.state().workspace());
        if (alert.lock() != null) {
            LockInfo lock = alert.lock();
            document.putObject("lock")
                    .put("ID", lock.id())
                    .put("Path", lock.path())
                    .put("Operation", lock.operation())
                    .put("Who", lock.who())
                    .put("Version", lock.version())
                    .put("Created", lock.created())
                    .put("Info", lock.info());
        }
        for (Map.Entry<String, Object> fact : alert.facts().entrySet()) {
            document.set(fact.getKey(), JSON.valueToTree(fact.getValue()));
        }
        document.put("detectedAt", alert.detectedAt().toString());
        document.put("summary", alert.summary());
        document.put("remediation", alert.remediation());
        return document;
    }
}

package dev.lockauditor.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.config.Environments;
import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.StateKeys;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The alert document (schema version 1): one JSON object that machine subscribers, the local runner and
 * every message format are made from.
 */
public final class AlertDocument {

    public static final int SCHEMA_VERSION = 1;
    /**
     * The longest a value of the backend's (a lock's fields, a user agent) is carried: whoever writes the backend
     * chooses their length, and a message SNS refuses (256 KB) would be an alert lost.
     */
    static final int LONGEST = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where alerts come from.
     *
     * @param environments which environment each state is in ({@code ENVIRONMENTS}, {@code ENVIRONMENT_NAME})
     * @param account      the AWS account of the backend
     * @param region       the AWS region of the backend
     * @param lockTable    the lock table's name, or empty
     */
    public record Origin(Environments environments, String account, String region, String lockTable) {

        /** The account and region from an ARN (the alert topic's), or the region given and no account. */
        public static Origin of(Environments environments, String arn, String fallbackRegion, String lockTable) {
            String[] parts = arn == null ? new String[0] : arn.split(":");
            return parts.length >= 6
                    ? new Origin(environments, parts[4], parts[3], lockTable)
                    : new Origin(environments, "", fallbackRegion, lockTable);
        }

        /** Every state in one environment. */
        public static Origin of(String environment, String arn, String fallbackRegion, String lockTable) {
            return of(Environments.only(environment), arn, fallbackRegion, lockTable);
        }
    }

    private AlertDocument() {
    }

    public static ObjectNode of(Alert alert, Origin origin) {
        ObjectNode document = JSON.createObjectNode();
        document.put("schemaVersion", SCHEMA_VERSION);
        document.put("type", alert.type().name());
        document.put("severity", alert.severity().name());
        document.put("environment", origin.environments().of(alert.state()));
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
                    .put("Operation", PlainText.cut(lock.operation(), LONGEST))
                    .put("Who", PlainText.cut(lock.who(), LONGEST))
                    .put("Version", PlainText.cut(lock.version(), LONGEST))
                    .put("Created", PlainText.cut(lock.created(), LONGEST))
                    .put("Info", PlainText.cut(lock.info(), LONGEST));
        }
        for (Map.Entry<String, Object> fact : alert.facts().entrySet()) {
            document.set(fact.getKey(), JSON.valueToTree(fact.getValue() instanceof String text
                    ? PlainText.cut(text, LONGEST) : fact.getValue()));
        }
        document.put("detectedAt", alert.detectedAt().toString());
        document.put("summary", alert.summary());
        document.put("remediation", alert.remediation());
        ObjectNode links = document.putObject("links");
        links.put("stateObject", "https://" + origin.region() + ".console.aws.amazon.com/s3/object/"
                + alert.state().bucket() + "?region=" + origin.region() + "&prefix=" + encode(alert.state().key()));
        if (!origin.lockTable().isEmpty()) {
            String lockId = alert.type() == AlertType.DIGEST_MISMATCH || alert.type() == AlertType.ORPHANED_DIGEST
                    ? StateKeys.digestLockId(alert.state().path()) : alert.state().path();
            links.put("lockItem", "https://" + origin.region() + ".console.aws.amazon.com/dynamodbv2/home?region="
                    + origin.region() + "#edit-item?table=" + encode(origin.lockTable()) + "&itemMode=2&pk="
                    + encode(lockId) + "&route=ROUTE_ITEM_EXPLORER");
        }
        return document;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

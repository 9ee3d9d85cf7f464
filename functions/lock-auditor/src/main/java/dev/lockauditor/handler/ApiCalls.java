package dev.lockauditor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockauditor.events.ApiCall;
import dev.lockauditor.rules.Callers;
import dev.lockauditor.history.Facts;
import dev.lockauditor.terraform.MalformedException;
import java.time.Instant;
import java.util.Set;

/**
 * CloudTrail data events as EventBridge delivers them ({@code "detail-type": "AWS API Call via CloudTrail"}, the
 * CloudTrail record as {@code detail}), in plain values. The record's shape is AWS's: the S3 user guide's and
 * DynamoDB developer guide's CloudTrail log examples (see {@code events/README.md}).
 */
final class ApiCalls {

    static final String DETAIL_TYPE = "AWS API Call via CloudTrail";
    private static final Set<String> S3_OPERATIONS = Set.of("PutObject", "CopyObject", "CompleteMultipartUpload",
            "DeleteObject");
    private static final Set<String> DYNAMODB_OPERATIONS = Set.of("PutItem", "DeleteItem");

    private ApiCalls() {
    }

    static boolean isApiCall(JsonNode document) {
        return DETAIL_TYPE.equals(document.path("detail-type").asText());
    }

    /** @throws MalformedException when it is not a request the auditor follows, with the reason */
    static ApiCall parse(JsonNode event) throws MalformedException {
        JsonNode record = event.path("detail");
        String source = record.path("eventSource").asText();
        String operation = record.path("eventName").asText();
        if (record.hasNonNull("errorCode")) {
            throw new MalformedException("a failed " + operation + " (" + record.path("errorCode").asText()
                    + "): it changed nothing");
        }
        Instant at = EventFields.time(record.path("eventTime"), "eventTime");
        JsonNode parameters = record.path("requestParameters");
        Facts.Caller caller = caller(record);
        String requestId = EventFields.text(record.path("requestID"));
        if (source.equals("s3.amazonaws.com")) {
            if (!S3_OPERATIONS.contains(operation)) {
                throw new MalformedException("an S3 " + operation + ", not a write or delete of one object");
            }
            return new ApiCall(ApiCall.Service.S3, operation, at, requestId, EventFields.required(parameters.path("bucketName"),
                    "bucketName"), EventFields.required(parameters.path("key"), "key"), null, null, caller);
        }
        if (source.equals("dynamodb.amazonaws.com")) {
            if (!DYNAMODB_OPERATIONS.contains(operation)) {
                throw new MalformedException("a DynamoDB " + operation + ", not a PutItem or DeleteItem");
            }
            return new ApiCall(ApiCall.Service.DYNAMODB, operation, at, requestId, null, null,
                    EventFields.required(parameters.path("tableName"), "tableName"), EventFields.required(parameters.path("key").path("LockID"),
                    "key LockID"), caller);
        }
        throw new MalformedException("a CloudTrail record of " + source + ", not S3 or DynamoDB");
    }

    /**
     * The caller: the principal's ARN (an assumed role's session ARN, a user's ARN, or the AWS service that called
     * on someone's behalf), the source address and the user agent, and the tool the user agent names.
     */
    private static Facts.Caller caller(JsonNode record) {
        JsonNode identity = record.path("userIdentity");
        String arn = EventFields.text(identity.path("arn"));
        if (arn == null) {
            arn = EventFields.text(identity.path("invokedBy"));
        }
        String userAgent = EventFields.text(record.path("userAgent"));
        return new Facts.Caller(arn, EventFields.text(record.path("sourceIPAddress")), userAgent, Callers.tool(userAgent));
    }

}

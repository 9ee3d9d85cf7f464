package dev.lockauditor.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request the AWS SDK sent, read as IAM reads it: the action it needs ({@code dynamodb:PutItem},
 * {@code s3:GetObject}, ...) and the resource it acts on (a table's name, a bucket and key, a queue's URL, a topic's
 * ARN, a secret). The SDK's service name comes from its signature's credential scope, the operation from the
 * protocol: {@code X-Amz-Target} for JSON services, {@code Action=} for query services, the method and path for S3
 * (path-style, as the tests and the local runner address it).
 *
 * @param resource the table name, {@code bucket} or {@code bucket/key}, queue URL, topic ARN or secret id
 */
public record AwsCall(String action, String resource) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/[0-9]{8}/[^/]+/([^/]+)/aws4_request");

    /** The request's action and resource, or null when it is not a signed AWS request. */
    public static AwsCall of(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
        String authorization = headers.getOrDefault("authorization", "");
        Matcher scope = SCOPE.matcher(authorization);
        if (!scope.find()) {
            return null;
        }
        String service = scope.group(1);
        if (service.equals("s3")) {
            return s3(method, rawPath, rawQuery == null ? "" : rawQuery);
        }
        String target = headers.get("x-amz-target");
        if (target != null) {
            String operation = target.substring(target.indexOf('.') + 1);
            String prefix = service.equals("dynamodb") && target.startsWith("DynamoDBStreams") ? "dynamodb" : service;
            return new AwsCall(prefix + ":" + operation, jsonResource(body));
        }
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        String resource = form.getOrDefault("TopicArn", form.getOrDefault("QueueUrl", form.getOrDefault("SecretId", "")));
        return new AwsCall(service + ":" + form.getOrDefault("Action", "?"), resource);
    }

    private static AwsCall s3(String method, String rawPath, String query) {
        String path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8).substring(1);
        int slash = path.indexOf('/');
        boolean object = slash > 0 && slash < path.length() - 1;
        String resource = object ? path : slash > 0 ? path.substring(0, slash) : path;
        String action;
        if (!object) {
            action = switch (method) {
                case "GET" -> query.contains("versions") ? "s3:ListBucketVersions"
                        : query.contains("versioning") ? "s3:GetBucketVersioning"
                        : query.contains("notification") ? "s3:GetBucketNotification" : "s3:ListBucket";
                case "HEAD" -> "s3:ListBucket";
                case "PUT" -> query.contains("versioning") ? "s3:PutBucketVersioning"
                        : query.contains("notification") ? "s3:PutBucketNotification" : "s3:CreateBucket";
                default -> "s3:" + method + "Bucket";
            };
        } else {
            boolean version = query.contains("versionId=");
            action = switch (method) {
                case "GET", "HEAD" -> version ? "s3:GetObjectVersion" : "s3:GetObject";
                case "PUT" -> "s3:PutObject";
                case "DELETE" -> version ? "s3:DeleteObjectVersion" : "s3:DeleteObject";
                default -> "s3:" + method + "Object";
            };
        }
        return new AwsCall(action, resource);
    }

    private static String jsonResource(byte[] body) {
        try {
            JsonNode request = JSON.readTree(body);
            for (String field : new String[] {"TableName", "StreamArn", "QueueUrl", "SecretId", "TopicArn"}) {
                if (request != null && request.hasNonNull(field)) {
                    return request.get(field).asText();
                }
            }
            if (request != null && request.has("ShardIterator")) {
                return "shard iterator";
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }
}

package dev.lockauditor.aws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The HTTP client every AWS client of the auditor sends through: the real one, except inside {@link #offline},
 * where each request is answered on the spot with an empty success in its service's protocol and never leaves
 * the process. SnapStart priming runs the clients' whole request path that way (marshalling, signing, the HTTP
 * client's interface, unmarshalling) before the snapshot, without writing to the backend or sending an alert.
 */
public record PrimingTransport(SdkHttpClient delegate) implements SdkHttpClient {

    /** How requests are answered on a thread: for real (null), with successes, or with "not found" errors. */
    private enum Answers { SUCCESS, NOT_FOUND }

    private static final ThreadLocal<Answers> OFFLINE = new ThreadLocal<>();
    /** A history item, so that a query's answer drives the item's reading too. */

    /**
     * A lock table as DescribeTable describes one (the DynamoDB API Reference's example response, with the fields a
     * table has today: billing mode, stream, warm throughput, deletion protection), so that its every part is read
     * once before the snapshot and the sweep's first scan of the real table loads nothing more.
     */
    private static final String DESCRIBED_TABLE = "{\"Table\":{"
            + "\"AttributeDefinitions\":[{\"AttributeName\":\"LockID\",\"AttributeType\":\"S\"}],"
            + "\"TableName\":\"priming-locks\",\"KeySchema\":[{\"AttributeName\":\"LockID\",\"KeyType\":\"HASH\"}],"
            + "\"TableStatus\":\"ACTIVE\",\"CreationDateTime\":1.741944414E9,"
            + "\"ProvisionedThroughput\":{\"NumberOfDecreasesToday\":0,\"ReadCapacityUnits\":0,\"WriteCapacityUnits\":0},"
            + "\"TableSizeBytes\":0,\"ItemCount\":0,"
            + "\"TableArn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/priming-locks\","
            + "\"TableId\":\"00000000-0000-0000-0000-000000000000\","
            + "\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\","
            + "\"LastUpdateToPayPerRequestDateTime\":1.741944414E9},"
            + "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},"
            + "\"LatestStreamLabel\":\"2025-03-14T09:26:54.000\","
            + "\"LatestStreamArn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/priming-locks/stream/2025-03-14T09:26:54.000\","
            + "\"TableClassSummary\":{\"TableClass\":\"STANDARD\"},\"DeletionProtectionEnabled\":false,"
            + "\"SSEDescription\":{\"Status\":\"ENABLED\",\"SSEType\":\"KMS\"},"
            + "\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"WriteUnitsPerSecond\":4000,\"Status\":\"ACTIVE\"}}}";
    private static final String HISTORY_ITEM = "{\"statePath\":{\"S\":\"priming/terraform.tfstate\"},"
            + "\"eventKey\":{\"S\":\"2025-03-14T09:26:54.000Z#dynamodb#0000000000000000000000000000000000000001#0\"},"
            + "\"event\":{\"S\":\"LOCK_ACQUIRED\"},\"bucket\":{\"S\":\"priming\"},\"key\":{\"S\":\"terraform.tfstate\"},"
            + "\"workspace\":{\"S\":\"default\"},\"source\":{\"S\":\"dynamodb\"},\"sourcePosition\":{\"S\":\"1\"},"
            + "\"lockId\":{\"S\":\"00000000-0000-0000-0000-000000000000\"},\"created\":{\"S\":\"2025-03-14T09:26:53Z\"},"
            + "\"expiresAt\":{\"N\":\"1749722532\"}}";
    /** What an object read answers while offline: a state header and nothing else. */
    static final byte[] STATE = ("{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": 1,\n"
            + "  \"lineage\": \"00000000-0000-4000-8000-000000000000\",\n  \"outputs\": {}\n}\n")
            .getBytes(StandardCharsets.UTF_8);

    /**
     * Runs {@code work} twice with every request made on this thread answered locally: once with successes, once
     * with "not found" errors, so that both the answers' and the errors' paths are driven.
     */
    public static void offline(Runnable work) {
        try {
            for (Answers answers : Answers.values()) {
                OFFLINE.set(answers);
                work.run();
            }
        } finally {
            OFFLINE.remove();
        }
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        Answers answers = OFFLINE.get();
        if (answers == null) {
            return delegate.prepareRequest(request);
        }
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return answers == Answers.SUCCESS ? answer(request) : notFound(request);
            }

            @Override
            public void abort() {
                // answered on the spot: nothing to abort
            }
        };
    }

    private static HttpExecuteResponse answer(HttpExecuteRequest request) {
        SdkHttpRequest http = request.httpRequest();
        byte[] body = request.contentStreamProvider().map(provider -> {
            try (InputStream in = provider.newStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(new byte[0]);
        Optional<String> contentType = http.firstMatchingHeader("Content-Type");
        SdkHttpFullResponse.Builder response = SdkHttpFullResponse.builder().statusCode(200)
                .putHeader("x-amzn-RequestId", "priming").putHeader("x-amz-request-id", "priming");
        byte[] answer;
        Optional<String> target = http.firstMatchingHeader("X-Amz-Target");
        if (target.isPresent()) {
            // AWS JSON protocols (DynamoDB, Secrets Manager): an empty result; an empty table for DescribeTable.
            response.putHeader("Content-Type", contentType.orElse("application/x-amz-json-1.0"));
            String json = target.get().endsWith(".DescribeTable") ? DESCRIBED_TABLE
                    : target.get().endsWith(".Query") ? "{\"Items\":[" + HISTORY_ITEM + "],\"Count\":1,\"ScannedCount\":1}"
                    : "{}";
            answer = json.getBytes(StandardCharsets.UTF_8);
        } else if (contentType.orElse("").startsWith("application/x-www-form-urlencoded")) {
            // AWS query protocol (SNS): <ActionResponse><ActionResult/></ActionResponse>.
            String action = action(new String(body, StandardCharsets.UTF_8));
            response.putHeader("Content-Type", "text/xml");
            answer = ("<" + action + "Response><" + action + "Result><MessageId>00000000-0000-0000-0000-000000000000"
                    + "</MessageId></" + action + "Result><ResponseMetadata><RequestId>priming</RequestId>"
                    + "</ResponseMetadata></" + action + "Response>").getBytes(StandardCharsets.UTF_8);
        } else if (http.rawQueryParameters().containsKey("list-type")) {
            response.putHeader("Content-Type", "application/xml");
            answer = ("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>priming</Name>"
                    + "<KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>")
                    .getBytes(StandardCharsets.UTF_8);
        } else {
            // S3 object reads: a small state.
            response.putHeader("Content-Type", "application/json")
                    .putHeader("Content-Length", Integer.toString(STATE.length))
                    .putHeader("ETag", "\"00000000000000000000000000000000\"")
                    .putHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
            answer = http.method().name().equals("HEAD") ? new byte[0] : STATE;
        }
        SdkHttpFullResponse full = response.build();
        return HttpExecuteResponse.builder().response(full)
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(answer))).build();
    }

    /** The error each protocol answers for what does not exist. */
    private static HttpExecuteResponse notFound(HttpExecuteRequest request) {
        SdkHttpRequest http = request.httpRequest();
        request.contentStreamProvider().ifPresent(provider -> {
            try (InputStream in = provider.newStream()) {
                in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        SdkHttpFullResponse.Builder response = SdkHttpFullResponse.builder()
                .putHeader("x-amzn-RequestId", "priming").putHeader("x-amz-request-id", "priming");
        byte[] answer;
        if (http.firstMatchingHeader("X-Amz-Target").isPresent()) {
            response.statusCode(400).putHeader("Content-Type", "application/x-amz-json-1.0");
            answer = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\"message\":\"priming\"}"
                    .getBytes(StandardCharsets.UTF_8);
        } else if (http.firstMatchingHeader("Content-Type").orElse("").startsWith("application/x-www-form-urlencoded")) {
            response.statusCode(404).putHeader("Content-Type", "text/xml");
            answer = ("<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>priming</Message></Error>"
                    + "<RequestId>priming</RequestId></ErrorResponse>").getBytes(StandardCharsets.UTF_8);
        } else {
            response.statusCode(404).putHeader("Content-Type", "application/xml");
            answer = http.method().name().equals("HEAD") ? new byte[0]
                    : ("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
                            + "<RequestId>priming</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        }
        return HttpExecuteResponse.builder().response(response.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(answer))).build();
    }

    private static String action(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith("Action=")) {
                return URLDecoder.decode(pair.substring("Action=".length()), StandardCharsets.UTF_8);
            }
        }
        return "Unknown";
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}

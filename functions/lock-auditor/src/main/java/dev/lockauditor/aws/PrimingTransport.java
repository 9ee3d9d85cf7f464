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
public final class PrimingTransport implements SdkHttpClient {

    private static final ThreadLocal<Boolean> OFFLINE = ThreadLocal.withInitial(() -> false);
    /** What an object read answers while offline: a state header and nothing else. */
    static final byte[] STATE = ("{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.2\",\n  \"serial\": 1,\n"
            + "  \"lineage\": \"00000000-0000-4000-8000-000000000000\",\n  \"outputs\": {}\n}\n")
            .getBytes(StandardCharsets.UTF_8);

    private final SdkHttpClient delegate;

    PrimingTransport(SdkHttpClient delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code work} with every request made on this thread answered locally. */
    public static void offline(Runnable work) {
        OFFLINE.set(true);
        try {
            work.run();
        } finally {
            OFFLINE.set(false);
        }
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        if (!OFFLINE.get()) {
            return delegate.prepareRequest(request);
        }
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return answer(request);
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
            answer = (target.get().endsWith(".DescribeTable") ? "{\"Table\":{\"ItemCount\":0,\"TableSizeBytes\":0}}" : "{}")
                    .getBytes(StandardCharsets.UTF_8);
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

package dev.lockauditor.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An endpoint in front of moto that records every AWS request that reaches it ({@link AwsCall}: the IAM action and
 * the resource), and breaks as an operator's network and a hot table break: it can go down (every connection closed
 * without an answer), throttle DynamoDB's writes ({@code ProvisionedThroughputExceededException}, as DynamoDB answers
 * them), and deny reading some objects ({@code AccessDenied}, as S3 answers it). Otherwise it passes each request on
 * to moto and its answer back.
 */
public final class MotoProxy implements AutoCloseable {

    private static final Set<String> DYNAMODB_WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem");

    public volatile boolean down;
    public volatile boolean throttleDynamoDbWrites;
    /** Object keys (or any part of a request's path) whose reads are denied. */
    public final Set<String> denied = new CopyOnWriteArraySet<>();
    public final AtomicInteger refused = new AtomicInteger();
    public final AtomicInteger throttled = new AtomicInteger();
    /** Every signed AWS request that reached it, in order. */
    public final List<AwsCall> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Where else requests are recorded as they come: one list for a function's every run. */
    private volatile List<AwsCall> alsoTo;

    public void record(List<AwsCall> into) {
        this.alsoTo = into;
    }

    private final HttpServer server;
    private final MotoForwarding moto;

    public MotoProxy(String target) throws IOException {
        this.moto = new MotoForwarding(URI.create(target));
        server = MotoForwarding.serve(this::handle, 8);
    }

    public String endpoint() {
        return MotoForwarding.endpoint(server);
    }

    /** moto's settings, with this endpoint in moto's place. */
    public Map<String, String> environment() {
        Map<String, String> env = MotoServer.environment();
        env.put("AWS_ENDPOINT_URL", endpoint());
        return env;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            AwsCall call = AwsCall.of(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, body);
            if (call != null) {
                calls.add(call);
                List<AwsCall> also = alsoTo;
                if (also != null) {
                    also.add(call);
                }
            }
            if (down) {
                refused.incrementAndGet();
                return;  // closed without an answer: the client sees its connection end
            }
            String operation = operation(exchange);
            if (throttleDynamoDbWrites && DYNAMODB_WRITES.contains(operation)) {
                throttled.incrementAndGet();
                answer(exchange, 400, "application/x-amz-json-1.0",
                        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                                + "\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            if (denied.stream().anyMatch(path::contains) && !exchange.getRequestMethod().equals("PUT")) {
                answer(exchange, 403, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                        + "AccessDenied</Code><Message>Access Denied</Message><RequestId>faulty</RequestId></Error>");
                return;
            }
            forward(exchange, body);
        }
    }

    private static String operation(HttpExchange exchange) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        return target == null ? "" : target.substring(target.indexOf('.') + 1);
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        MotoForwarding.Answer answer = moto.forward(exchange, body);
        exchange.getResponseHeaders().putAll(answer.headers());
        exchange.sendResponseHeaders(answer.status(), answer.body() == null ? -1 : answer.body().length);
        if (answer.body() != null) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

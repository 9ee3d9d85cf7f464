package dev.lockauditor.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * An endpoint in front of moto that fails as AWS fails, at random from a seed: it goes down for a while (every
 * request's connection closed without an answer), throttles requests with each service's own throttling error
 * (DynamoDB {@code ProvisionedThroughputExceededException} or {@code ThrottlingException}, S3 {@code 503 SlowDown},
 * SNS {@code Throttling}, SQS {@code RequestThrottled}), fails them with the service's internal error (HTTP 500), and
 * loses answers: the request reaches moto and is carried out, then the connection closes before the answer goes back,
 * so that the client retries what was already done. Throttling and internal errors are answered before moto sees the
 * request. Each fault injected is counted by kind.
 *
 * <p>When given the {@link ObjectTimes} of a bucket, its answers tell object times on the day's clock.
 */
public final class FaultyEndpoint implements AutoCloseable {

    /** How often each fault that strikes a single request strikes one, from 0 to 1. */
    public record Rates(double throttling, double internalError, double reset) {
        public static final Rates NONE = new Rates(0, 0, 0);
    }

    private static final Set<String> DYNAMODB_ITEM_OPERATIONS = Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem",
            "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems");

    private enum Fault { NONE, THROTTLING, INTERNAL_ERROR, RESET }

    private final MotoForwarding moto;
    private final Random random;
    private final Clock clock;
    private final ObjectTimes times;
    private final FaultCounts counts;
    private final HttpServer server;
    private volatile Rates rates = Rates.NONE;
    private volatile Instant downUntil = Instant.MIN;
    private volatile boolean untilRefused;
    private int counted;
    private int sureThrottling;
    private int sureInternalError;
    private int sureReset;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    private volatile java.util.function.Consumer<String> publishing = message -> { };

    /**
     * @param target where moto listens
     * @param seed   the seed every fault decision is drawn from, in the order requests arrive
     * @param clock  the clock outages are timed by
     * @param times  the object times of the bucket watched, or null to pass moto's on
     * @param counts where the faults injected are counted
     */
    public FaultyEndpoint(String target, long seed, Clock clock, ObjectTimes times, FaultCounts counts)
            throws IOException {
        this.moto = new MotoForwarding(URI.create(target));
        this.random = new Random(seed);
        this.clock = clock;
        this.times = times;
        this.counts = counts;
        server = MotoForwarding.serve(this::handle, 4);
    }

    public String endpoint() {
        return MotoForwarding.endpoint(server);
    }

    /** How often requests are throttled, failed and their answers lost from now on. */
    public void rates(Rates rates) {
        this.rates = rates;
    }

    /**
     * Besides the rates, the faults that surely strike: the requests numbered {@code throttled}, {@code failed} and
     * {@code reset} (counted from now) are throttled, failed and have their answers lost.
     */
    public void surely(int throttled, int failed, int reset) {
        synchronized (random) {
            counted = 0;
            sureThrottling = throttled;
            sureInternalError = failed;
            sureReset = reset;
        }
    }

    /** Down (every request refused) until {@code until} on the clock. */
    public void downUntil(Instant until) {
        this.downUntil = until;
        this.untilRefused = false;
    }

    /** Down until {@code until}, and after it until a request has been refused: an outage the functions meet. */
    public void downUntilMet(Instant until) {
        this.downUntil = until;
        this.untilRefused = true;
    }

    /** Told the message of every SNS {@code Publish} about to be carried out (its answer may then be lost). */
    public void onPublish(java.util.function.Consumer<String> listener) {
        this.publishing = listener;
    }

    private static Map<String, String> form(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    /** How many requests reached the endpoint. */
    public int requests() {
        return requests.get();
    }

    public boolean down() {
        return clock.instant().isBefore(downUntil) || untilRefused;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            Service service = Service.of(exchange.getRequestMethod(), headers, body);
            requests.incrementAndGet();
            if (down()) {
                counts.add(FaultKind.OUTAGE);
                untilRefused = false;
                return;  // closed without an answer: the client sees its connection end
            }
            Fault fault = draw();
            if (fault == Fault.THROTTLING) {
                counts.add(FaultKind.THROTTLING);
                answer(exchange, service.throttling());
                return;
            }
            if (fault == Fault.INTERNAL_ERROR) {
                counts.add(FaultKind.INTERNAL_ERROR);
                answer(exchange, service.internalError());
                return;
            }
            if (service.kind == Service.Kind.SNS && service.operation.equals("Publish")) {
                publishing.accept(form(body).getOrDefault("Message", ""));
            }
            Answer answer = forward(exchange, body);
            if (fault == Fault.RESET) {
                counts.add(FaultKind.RESET);
                return;  // moto carried it out; the answer is lost on the way back
            }
            answer(exchange, service.kind == Service.Kind.S3 && times != null ? timed(exchange, answer) : answer);
        }
    }

    private Fault draw() {
        Rates now = rates;
        double at;
        synchronized (random) {
            at = random.nextDouble();
            counted++;
            if (counted == sureThrottling) {
                return Fault.THROTTLING;
            }
            if (counted == sureInternalError) {
                return Fault.INTERNAL_ERROR;
            }
            if (counted == sureReset) {
                return Fault.RESET;
            }
        }
        if (at < now.throttling()) {
            return Fault.THROTTLING;
        }
        if (at < now.throttling() + now.internalError()) {
            return Fault.INTERNAL_ERROR;
        }
        if (at < now.throttling() + now.internalError() + now.reset()) {
            return Fault.RESET;
        }
        return Fault.NONE;
    }

    /** An answer to send: status, headers, body (null for none, as a HEAD's). */
    private record Answer(int status, Map<String, List<String>> headers, byte[] body) {

        static Answer of(int status, String contentType, Map<String, String> more, String body) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            headers.put("Content-Type", List.of(contentType));
            headers.put("x-amzn-RequestId", List.of("faulty-endpoint"));
            more.forEach((name, value) -> headers.put(name, List.of(value)));
            return new Answer(status, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The service a request is for, and its error answers in that service's own shape. */
    private record Service(Kind kind, String operation, boolean json, boolean head) {

        enum Kind { DYNAMODB, DYNAMODB_STREAMS, S3, SNS, SQS, OTHER }

        static Service of(String method, Map<String, String> headers, byte[] body) {
            AwsCall call = AwsCall.of("GET", "/", null, headers, body);
            String target = headers.getOrDefault("x-amz-target", "");
            String operation = target.substring(target.indexOf('.') + 1);
            boolean json = !target.isEmpty();
            String service = call == null ? "" : call.action().substring(0, call.action().indexOf(':'));
            Kind kind = switch (service) {
                case "dynamodb" -> target.startsWith("DynamoDBStreams") ? Kind.DYNAMODB_STREAMS : Kind.DYNAMODB;
                case "s3" -> Kind.S3;
                case "sns" -> Kind.SNS;
                case "sqs" -> Kind.SQS;
                default -> Kind.OTHER;
            };
            if (!json && call != null) {
                operation = call.action().substring(call.action().indexOf(':') + 1);
            }
            return new Service(kind, operation, json, method.equals("HEAD"));
        }

        Answer throttling() {
            return switch (kind) {
                case DYNAMODB -> DYNAMODB_ITEM_OPERATIONS.contains(operation)
                        ? json(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                        "The level of configured provisioned throughput for the table was exceeded. Consider "
                                + "increasing your provisioning level with the UpdateTable API.")
                        : json(400, "com.amazon.coral.availability#ThrottlingException",
                        "Rate of requests exceeds the allowed throughput.");
                case DYNAMODB_STREAMS, OTHER -> json(400, "com.amazon.coral.availability#ThrottlingException",
                        "Rate of requests exceeds the allowed throughput.");
                case S3 -> s3(503, "SlowDown", "Please reduce your request rate.");
                case SNS -> query(400, "Sender", "Throttling", "Rate exceeded", "http://sns.amazonaws.com/doc/2010-03-31/");
                case SQS -> json ? sqsJson(400, "RequestThrottled", "Sender", "Rate exceeded")
                        : query(400, "Sender", "RequestThrottled", "Rate exceeded",
                        "http://queue.amazonaws.com/doc/2012-11-05/");
            };
        }

        Answer internalError() {
            return switch (kind) {
                case DYNAMODB -> json(500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
                        "Internal server error");
                case DYNAMODB_STREAMS, OTHER -> json(500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
                        "Internal server error");
                case S3 -> s3(500, "InternalError", "We encountered an internal error. Please try again.");
                case SNS -> query(500, "Receiver", "InternalError", "Internal Error",
                        "http://sns.amazonaws.com/doc/2010-03-31/");
                case SQS -> json ? sqsJson(500, "InternalError", "Receiver", "Internal error")
                        : query(500, "Receiver", "InternalError", "Internal error",
                        "http://queue.amazonaws.com/doc/2012-11-05/");
            };
        }

        private static Answer json(int status, String type, String message) {
            return Answer.of(status, "application/x-amz-json-1.0", Map.of(),
                    "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
        }

        private static Answer sqsJson(int status, String code, String fault, String message) {
            return Answer.of(status, "application/x-amz-json-1.0", Map.of("x-amzn-query-error", code + ";" + fault),
                    "{\"__type\":\"com.amazonaws.sqs#" + code + "\",\"message\":\"" + message + "\"}");
        }

        private Answer s3(int status, String code, String message) {
            return Answer.of(status, "application/xml", Map.of(), head ? null
                    : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                    + "</Message><RequestId>FAULTYENDPOINT</RequestId><HostId>faulty-endpoint</HostId></Error>");
        }

        private static Answer query(int status, String type, String code, String message, String namespace) {
            return Answer.of(status, "text/xml", Map.of(), "<ErrorResponse xmlns=\"" + namespace + "\"><Error><Type>"
                    + type + "</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error><RequestId>"
                    + "faulty-endpoint</RequestId></ErrorResponse>");
        }
    }

    private Answer forward(HttpExchange exchange, byte[] body) throws IOException {
        MotoForwarding.Answer answer = moto.forward(exchange, body);
        return new Answer(answer.status(), answer.headers(), answer.body());
    }

    /** An S3 answer with its object times told on the day's clock. */
    private Answer timed(HttpExchange exchange, Answer answer) {
        if (answer.status() / 100 != 2) {
            return answer;
        }
        String path = URLDecoder.decode(exchange.getRequestURI().getRawPath().replace("+", "%2B"),
                StandardCharsets.UTF_8).substring(1);
        int slash = path.indexOf('/');
        String bucket = slash < 0 ? path : path.substring(0, slash);
        if (!bucket.equals(times.bucket())) {
            return answer;
        }
        if (slash > 0 && slash < path.length() - 1) {
            Map<String, List<String>> headers = new LinkedHashMap<>(answer.headers());
            for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
                if (header.getKey().equalsIgnoreCase("last-modified")) {
                    headers.put(header.getKey(), List.of(times.lastModifiedHeader(path.substring(slash + 1),
                            first(answer.headers(), "x-amz-version-id"), header.getValue().get(0))));
                }
            }
            return new Answer(answer.status(), headers, answer.body());
        }
        if (answer.body() == null) {
            return answer;
        }
        return new Answer(answer.status(), answer.headers(),
                times.listing(new String(answer.body(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    }

    private static String first(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(header -> header.getKey().equalsIgnoreCase(name))
                .map(header -> header.getValue().get(0)).findFirst().orElse(null);
    }

    private static void answer(HttpExchange exchange, Answer answer) throws IOException {
        answer.headers().forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
        if (answer.body() == null) {
            exchange.sendResponseHeaders(answer.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

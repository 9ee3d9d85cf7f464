package dev.lockauditor.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (2018-06-01) on a loopback port, as the Lambda service serves it to one execution
 * environment: {@code invocation/next} hands out one event at a time with its request id, deadline and function
 * ARN, and takes the response or error back; {@code init/error} and SnapStart's {@code restore/next} and
 * {@code restore/error} are answered as Lambda answers them. It also serves the container credentials that
 * Lambda gives SnapStart functions ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}).
 */
public final class RuntimeApi implements AutoCloseable {

    /** What the function answered to one event, and how long it took from handing it out to the answer. */
    public record Invocation(String requestId, boolean error, String body, Duration duration) {
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String PREFIX = "/2018-06-01/runtime/";
    static final String CREDENTIALS_PATH = "/2018-06-01/credentials";

    private record Pending(String requestId, byte[] event, long deadlineMillis, CompletableFuture<Invocation> answer,
                           long[] handedOutAt) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "lambda-runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<Pending> events = new LinkedBlockingQueue<>();
    private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();
    private final String functionArn;
    private final Map<String, String> credentials;
    private final String credentialsToken = UUID.randomUUID().toString();
    private final CompletableFuture<String> initDone = new CompletableFuture<>();
    private volatile boolean restored;
    private volatile boolean closed;

    /**
     * @param credentials {@code AccessKeyId}, {@code SecretAccessKey} and {@code Token} served as the container
     *                    credentials; empty for none
     */
    RuntimeApi(String functionArn, Map<String, String> credentials) throws IOException {
        this.functionArn = functionArn;
        this.credentials = credentials;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    /** {@code host:port}, for {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String credentialsUri() {
        return "http://" + address() + CREDENTIALS_PATH;
    }

    String credentialsToken() {
        return credentialsToken;
    }

    /** Completes with null when the function first asks for an event (its init is over), or with its init error. */
    CompletableFuture<String> initDone() {
        return initDone;
    }

    /** Whether the runtime went through SnapStart's checkpoint ({@code restore/next}) before its first event. */
    boolean restored() {
        return restored;
    }

    /** Hands {@code event} to the function and waits for its answer, at most {@code timeout}. */
    Invocation invoke(byte[] event, Duration timeout) throws InterruptedException {
        Pending pending = new Pending(UUID.randomUUID().toString(), event,
                System.currentTimeMillis() + timeout.toMillis(), new CompletableFuture<>(), new long[1]);
        inFlight.put(pending.requestId(), pending);
        events.add(pending);
        try {
            return pending.answer().get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Invocation(pending.requestId(), true, JSON.objectNode()
                    .put("errorMessage", "Task timed out after " + timeout.toSeconds() + " seconds")
                    .put("errorType", "Sandbox.Timedout").toString(), timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            inFlight.remove(pending.requestId());
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.equals(CREDENTIALS_PATH)) {
                credentials(exchange);
            } else if (path.equals(PREFIX + "invocation/next")) {
                next(exchange);
            } else if (path.startsWith(PREFIX + "invocation/") && path.endsWith("/response")) {
                answer(exchange, path, false, body);
            } else if (path.startsWith(PREFIX + "invocation/") && path.endsWith("/error")) {
                answer(exchange, path, true, body);
            } else if (path.equals(PREFIX + "init/error") || path.equals(PREFIX + "restore/error")) {
                initDone.complete(new String(body, StandardCharsets.UTF_8));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else if (path.equals(PREFIX + "restore/next")) {
                restored = true;
                reply(exchange, 200, "");
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"unknown path " + path + "\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        initDone.complete(null);
        Pending pending = null;
        try {
            while (pending == null && !closed) {
                pending = events.poll(200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pending == null) {
            reply(exchange, 500, "{\"errorMessage\":\"the runtime API is closing\"}");
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.add("Lambda-Runtime-Aws-Request-Id", pending.requestId());
        headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(pending.deadlineMillis()));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        headers.add("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(Instant.now().getEpochSecond())
                + "-" + pending.requestId().replace("-", "").substring(0, 24) + ";Parent=0000000000000000;Sampled=0");
        headers.add("Content-Type", "application/json");
        pending.handedOutAt()[0] = System.nanoTime();
        exchange.sendResponseHeaders(200, pending.event().length == 0 ? -1 : pending.event().length);
        exchange.getResponseBody().write(pending.event());
    }

    private void answer(HttpExchange exchange, String path, boolean error, byte[] body) throws IOException {
        String requestId = path.substring((PREFIX + "invocation/").length(), path.lastIndexOf('/'));
        Pending pending = inFlight.get(requestId);
        if (pending == null) {
            reply(exchange, 400, "{\"errorMessage\":\"no invocation " + requestId + "\"}");
            return;
        }
        pending.answer().complete(new Invocation(requestId, error, new String(body, StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - pending.handedOutAt()[0])));
        reply(exchange, 202, "{\"status\":\"OK\"}");
    }

    private void credentials(HttpExchange exchange) throws IOException {
        if (credentials.isEmpty()
                || !credentialsToken.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            reply(exchange, 403, "{\"message\":\"no credentials\"}");
            return;
        }
        reply(exchange, 200, JSON.objectNode()
                .put("AccessKeyId", credentials.get("AccessKeyId"))
                .put("SecretAccessKey", credentials.get("SecretAccessKey"))
                .put("Token", credentials.getOrDefault("Token", "session-token"))
                .put("Expiration", Instant.now().plus(Duration.ofHours(6)).toString()).toString());
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }
}

package dev.lockauditor.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Slack incoming webhook served on this machine's loopback: it answers every post {@code ok}, as Slack does, and
 * keeps what was posted.
 */
public final class LocalWebhook implements AutoCloseable {

    /** The bodies posted to it, in order. */
    public final List<String> posts = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public LocalWebhook() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        server.start();
    }

    /** Its URL with the path Slack gives a webhook, e.g. {@code /services/T0/B0/XXXX}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

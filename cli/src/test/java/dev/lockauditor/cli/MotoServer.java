package dev.lockauditor.cli;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/**
 * One moto_server for the whole test run, on a free loopback port, stopped when the JVM exits.
 * Tests talk to it with the real AWS SDK through {@code AWS_ENDPOINT_URL}.
 */
final class MotoServer {

    private static String endpoint;

    private MotoServer() {
    }

    static synchronized String endpoint() {
        if (endpoint == null) {
            endpoint = start();
        }
        return endpoint;
    }

    /** The settings a function or the local runner needs to reach moto. */
    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", endpoint());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        env.put("ENVIRONMENT_NAME", "test");
        return env;
    }

    private static String start() {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
        Process process;
        try {
            process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "moto_server-" + port + ".log"))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("moto_server is not installed: pip install \"moto[server]\"", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return "http://127.0.0.1:" + port;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        process.destroy();
        throw new IllegalStateException("moto_server did not start within 30 s");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.lockauditor.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A {@code moto_server} on a free loopback port, for the demo: an AWS emulated on this machine. */
public final class MotoProcess implements AutoCloseable {

    private final Process process;
    private final String endpoint;

    private MotoProcess(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static MotoProcess start() {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new SetupException("no free port on this machine for moto_server");
        }
        Process process;
        try {
            process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new SetupException("moto_server is not installed; install it with: pip install \"moto[server]\" "
                    + "(or set AWS_ENDPOINT_URL to an AWS emulator you run)");
        }
        MotoProcess moto = new MotoProcess(process, "http://127.0.0.1:" + port);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new SetupException("moto_server stopped as it started (exit status " + process.exitValue() + ")");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return moto;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        moto.close();
        throw new SetupException("moto_server did not answer within 30 seconds");
    }

    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.destroy();
    }
}

package dev.lockauditor.testsupport;

import dev.lockauditor.runtime.MotoProcess;
import java.util.HashMap;
import java.util.Map;

/**
 * One moto_server for the whole test run, started as bin/lock-auditor starts it ({@link MotoProcess}), on a free
 * loopback port, stopped when the JVM exits. Tests talk to it with the real AWS SDK through {@code AWS_ENDPOINT_URL}.
 */
public final class MotoServer {

    private static MotoProcess moto;

    private MotoServer() {
    }

    public static synchronized String endpoint() {
        if (moto == null) {
            moto = MotoProcess.start();
        }
        return moto.endpoint();
    }

    /** The settings a function or the local runner needs to reach moto. */
    public static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", endpoint());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        env.put("ENVIRONMENT_NAME", "test");
        return env;
    }
}

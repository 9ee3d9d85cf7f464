package dev.lockauditor.bench;

import dev.lockauditor.aws.S3StateBucket;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The auditor's streamed MD5 (what a state whose ETag is not its MD5 costs to check), over 64 MiB in memory. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DigestBenchmark {

    static final int MEBIBYTES = 64;

    private byte[] state;

    @Setup
    public void state() {
        state = new byte[MEBIBYTES << 20];
        new Random(42).nextBytes(state);
    }

    @Benchmark
    public byte[] md5() throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        S3StateBucket.digest(new ByteArrayInputStream(state), md5);
        return md5.digest();
    }
}

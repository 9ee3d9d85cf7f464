package dev.lockauditor.bench;

import dev.lockauditor.aws.S3StateBucket;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Run in its own JVM: streams a state of the given size through the auditor's MD5 digest, and prints the peak
 * heap used (the sum of the heap pools' peaks) in bytes, then the digest.
 */
public final class PeakHeap {

    private PeakHeap() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        S3StateBucket.digest(new StateStream(size), md5);
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println(peak + " " + HexFormat.of().formatHex(md5.digest()));
    }

    /** A state-like body of any size, made as it is read (nothing of it is held). */
    static final class StateStream extends InputStream {
        private static final byte[] PATTERN = ("    {\n      \"mode\": \"managed\",\n      \"type\": \"aws_instance\",\n"
                + "      \"name\": \"web\",\n      \"attributes\": {\"ami\": \"ami-0c55b159cbfafe1f0\"}\n    },\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        private final long size;
        private long position;

        StateStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? PATTERN[(int) (position++ % PATTERN.length)] : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= size) {
                return -1;
            }
            int count = (int) Math.min(length, size - position);
            for (int i = 0; i < count; i++) {
                buffer[offset + i] = PATTERN[(int) ((position + i) % PATTERN.length)];
            }
            position += count;
            return count;
        }
    }
}

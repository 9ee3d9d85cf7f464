package dev.lockauditor.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** local's pollers: no failure ends one silently. */
class LocalPollerTest {

    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final LocalCommand local = new LocalCommand(Map.of(), (record, fields) -> { },
            new PrintStream(err, true, StandardCharsets.UTF_8), new PrintStream(OutputStream.nullOutputStream()));

    static long in(Duration duration) {
        return System.nanoTime() + duration.toNanos();
    }

    @Test
    void aResetConnectionOrAnUnreachableEndpointIsLoggedAndRetriedWithBackoff() {
        AtomicInteger polls = new AtomicInteger();
        String stopped = local.poll(() -> {
            int n = polls.incrementAndGet();
            if (n == 1) {
                throw new UncheckedIOException(new IOException("Error writing to server"));
            }
            if (n == 2) {
                throw SdkClientException.create("Unable to execute HTTP request: Connection refused");
            }
            return 1;
        }, in(Duration.ofSeconds(3)));

        assertNull(stopped, "it went on to the end");
        assertTrue(polls.get() > 10, "polled again after each failure: " + polls.get());
        String logged = err.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("failed, trying again in 500 ms: UncheckedIOException"), logged);
        assertTrue(logged.contains("failed, trying again in 1000 ms: SdkClientException"), logged);
    }

    @Test
    void aFailureNoRetryFixesStopsThePollerWithItsReason() {
        String stopped = local.poll(() -> {
            throw ResourceNotFoundException.builder().message("Requested resource not found: Stream not found")
                    .statusCode(400).build();
        }, in(Duration.ofMinutes(2)));

        assertTrue(stopped.contains("Stream not found"), stopped);
        assertEquals(4, err.toString(StandardCharsets.UTF_8).lines().count(), "logged each time before giving up");
    }

    @Test
    void anErrorStopsThePollerWithItsReason() {
        String stopped = local.poll(() -> {
            throw new OutOfMemoryError("Java heap space");
        }, in(Duration.ofMinutes(1)));

        assertEquals("OutOfMemoryError: Java heap space", stopped);
    }
}

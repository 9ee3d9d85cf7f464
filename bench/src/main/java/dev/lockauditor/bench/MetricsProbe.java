package dev.lockauditor.bench;

import dev.lockauditor.config.Environments;
import dev.lockauditor.metrics.Metrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import software.amazon.lambda.powertools.metrics.MetricsBuilder;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Run in its own JVM, as a function's first invocation is: the time to emit one invocation's metrics (three counts
 * and a gauge, by environment) in CloudWatch's embedded metric format, with the auditor's {@link Metrics} or with
 * Powertools for AWS Lambda (Java) v2's functional API. Prints, in microseconds: the first emission in a fresh JVM
 * (classes loaded and compiled then), the first after one emission already made (as after SnapStart's priming), and
 * the median of 200 more.
 */
public final class MetricsProbe {

    private MetricsProbe() {
    }

    public static void main(String[] args) {
        boolean powertools = args[0].equals("powertools");
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        PrintStream stdout = System.out;
        System.setOut(nowhere);  // both write their lines to standard output, as in Lambda
        Runnable emit = powertools ? powertools() : handwritten(nowhere);
        long first = timed(emit);
        long primed = timed(emit);
        long[] warm = new long[200];
        for (int i = 0; i < warm.length; i++) {
            warm[i] = timed(emit);
        }
        java.util.Arrays.sort(warm);
        stdout.println(first + " " + primed + " " + warm[warm.length / 2]);
    }

    private static long timed(Runnable emit) {
        long start = System.nanoTime();
        emit.run();
        return (System.nanoTime() - start) / 1_000;
    }

    private static Runnable handwritten(PrintStream out) {
        return () -> {
            Metrics metrics = new Metrics(out, Environments.only("production"), Clock.systemUTC());
            metrics.count("LocksAcquired", 1);
            metrics.count("DigestsUpdated", 1);
            metrics.count("EventsSkipped", 0);
            metrics.gauge("LocksHeld", 3);
            metrics.flush();
        };
    }

    private static Runnable powertools() {
        return () -> {
            software.amazon.lambda.powertools.metrics.Metrics metrics = MetricsBuilder.builder()
                    .withNamespace(Metrics.NAMESPACE).withService("lock-auditor").build();
            metrics.setDefaultDimensions(DimensionSet.of("Environment", "production"));
            metrics.addMetric("LocksAcquired", 1, MetricUnit.COUNT);
            metrics.addMetric("DigestsUpdated", 1, MetricUnit.COUNT);
            metrics.addMetric("EventsSkipped", 0, MetricUnit.COUNT);
            metrics.addMetric("LocksHeld", 3, MetricUnit.COUNT);
            metrics.flush();
        };
    }
}

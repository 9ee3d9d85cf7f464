package dev.lockauditor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockauditor.runtime.MotoProcess;
import dev.lockauditor.testsupport.FaultCounts;
import dev.lockauditor.testsupport.FaultDay;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/bench chaos}: fault days ({@link FaultDay}) with new seeds, one after another on a moto_server of its own,
 * until the time is up; each seed is printed to stderr as the day starts, so that a failing one can be replayed
 * ({@code -Dit.test=FaultDayIntegrationTest -Dfaultday.seed=SEED}). The totals are printed as figures, one JSON object
 * a line: days, history entries and alerts expected, faults injected (in all and by kind), lost, doubled, false
 * alarms, and the alerts published again while their claim was pending (the at least once of {@code OnceAlerts}: an
 * earlier publication whose outcome the function could not know), counted apart from doubled.
 */
public final class ChaosBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** moto keeps every day's tables and buckets in memory: a fresh one every so many days. */
    private static final int DAYS_PER_MOTO = 25;

    /**
     * What the days came to, in all.
     *
     * @param failedSeeds the seeds of the days that were not clean, or did not run to their end
     */
    public record Totals(int days, long events, long alerts, FaultCounts faults, long lost, long doubled,
                         long falseAlarms, long unexpected, long unmarked, long republished, long deadLettered,
                         List<Long> failedSeeds, Duration elapsed) {
    }

    private ChaosBench() {
    }

    /**
     * Runs fault days with new seeds until {@code length} has passed (the day under way is finished), prints each
     * seed and each day's summary to stderr and the totals to {@code figures}, and returns them.
     */
    public static Totals run(Duration length, PrintStream figures) {
        long started = System.nanoTime();
        long end = started + length.toNanos();
        SecureRandom seeds = new SecureRandom();
        FaultCounts faults = new FaultCounts();
        List<Long> failed = new ArrayList<>();
        int days = 0;
        long events = 0;
        long alerts = 0;
        long lost = 0;
        long doubled = 0;
        long falseAlarms = 0;
        long unexpected = 0;
        long unmarked = 0;
        long republished = 0;
        long deadLettered = 0;
        MotoProcess moto = null;
        try {
            while (System.nanoTime() < end) {
                if (days % DAYS_PER_MOTO == 0) {
                    if (moto != null) {
                        moto.close();
                    }
                    moto = MotoProcess.start();
                }
                long seed = seeds.nextLong();
                days++;
                System.err.println("chaos: day " + days + ", seed " + seed);
                FaultDay.Result day;
                try {
                    day = FaultDay.run(moto.endpoint(), seed, FaultDay.Settings.standard());
                } catch (Exception | AssertionError e) {
                    System.err.println("chaos: seed " + seed + " did not run to its end: " + e);
                    failed.add(seed);
                    continue;
                }
                System.err.println("chaos: " + day.summary());
                if (!day.clean()) {
                    failed.add(seed);
                }
                day.differences().forEach(line -> System.err.println("chaos:   " + line));
                events += day.events();
                alerts += day.alerts();
                faults.addAll(day.faults());
                lost += day.lost();
                doubled += day.doubled();
                falseAlarms += day.falseAlarms();
                unexpected += day.unexpected();
                unmarked += day.unmarked();
                republished += day.republished();
                deadLettered += day.deadLettered();
            }
        } finally {
            if (moto != null) {
                moto.close();
            }
        }
        Totals totals = new Totals(days, events, alerts, faults, lost, doubled, falseAlarms, unexpected, unmarked,
                republished, deadLettered, failed, Duration.ofNanos(System.nanoTime() - started));
        figure(figures, "chaos_days", days, "days");
        figure(figures, "chaos_minutes", totals.elapsed().toSeconds() / 60.0, "min");
        figure(figures, "chaos_events", events, "history entries");
        figure(figures, "chaos_alerts", alerts, "alerts");
        figure(figures, "chaos_faults_injected", faults.total(), "faults");
        faults.asMap().forEach((kind, count) -> figure(figures, "chaos_faults_" + kind.name().toLowerCase(), count,
                "faults"));
        figure(figures, "chaos_lost", lost, "entries and alerts");
        figure(figures, "chaos_doubled", doubled, "entries and alerts");
        figure(figures, "chaos_false_alarms", falseAlarms, "alerts");
        figure(figures, "chaos_unexpected_entries", unexpected, "entries");
        figure(figures, "chaos_alerts_never_marked_raised", unmarked, "alerts");
        figure(figures, "chaos_alerts_published_again_while_pending", republished, "alerts");
        figure(figures, "chaos_dead_lettered", deadLettered, "records and messages");
        figure(figures, "chaos_failed_days", failed.size(), "days");
        return totals;
    }

    private static void figure(PrintStream out, String name, double value, String unit) {
        ObjectNode line = JSON.createObjectNode().put("figure", name).put("unit", unit);
        line.put("value", Math.round(value * 100) / 100.0);
        out.println(line);
        out.flush();
    }

    /** {@code ChaosBench [MINUTES]}: the run alone, for an hour unless told. */
    public static void main(String[] args) {
        PrintStream out = System.out;
        System.setOut(System.err);
        run(Duration.ofMinutes(args.length > 0 ? Long.parseLong(args[0]) : 60), out);
    }
}

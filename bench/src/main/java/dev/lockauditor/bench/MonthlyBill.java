package dev.lockauditor.bench;

import dev.lockauditor.runtime.ListPrices;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The stack's monthly bill for one team, line by line: each a quantity worked out from what {@link TeamDayCost}
 * measured (invocations, billed milliseconds at the template's memory, requests by action, log bytes, history item
 * sizes) or counted in the template (alarms), times a list price of {@link ListPrices}. A month is 730 hours, as AWS
 * prices it. Where a quantity is assumed rather than measured, its line says so.
 */
final class MonthlyBill {

    static final double DAYS = 730 / 24.0;

    /** A team: its applies and plans a day (each takes a lock), and the states in its bucket. */
    record Team(String name, int appliesPerDay, int plansPerDay, int states) {
    }

    /**
     * The settings that change the bill.
     *
     * @param dashboard    {@code CloudWatchDashboard=create}
     * @param enrichment   {@code CallerEnrichment=create-trail}
     * @param sweepMinutes the {@code SweepSchedule}'s rate
     * @param ownTopic     the stack's own encrypted alert topic (no {@code ExistingAlertTopicArn})
     */
    record Settings(boolean dashboard, boolean enrichment, int sweepMinutes, boolean ownTopic) {
        static final Settings DEFAULTS = new Settings(true, false, 5, true);
    }

    /** One line: {@code quantity} of {@code unit} at {@code price} each. */
    record Line(String item, double quantity, String unit, double price, String basis) {
        double cost() {
            return quantity * price;
        }
    }

    /** What the template's defaults keep that the bill needs: its alarms, retention and memory. */
    record Stack(int alarms, int historyRetentionDays, int logRetentionDays, int fullListingHours) {
    }

    private static final Set<String> DYNAMODB_WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem");
    private static final Set<String> DYNAMODB_READS = Set.of("GetItem", "Query", "Scan", "BatchGetItem");
    private static final Set<String> S3_GETS = Set.of("GetObject", "GetObjectVersion");
    private static final Set<String> S3_LISTS = Set.of("ListBucket", "ListBucketVersions");
    /** Alerts a month, assumed: a team's day brings no anomaly, and an alert's cost is its delivery. */
    static final int ALERTS_A_MONTH = 30;
    /** Lambda's pollers of an idle standard queue: five, each long-polling for 20 seconds (AWS Lambda Developer Guide). */
    static final double IDLE_POLLS_A_MONTH = 5 * 3 * 60 * 730;

    private MonthlyBill() {
    }

    static List<Line> lines(TeamDayCost.Measured m, Team team, Settings settings, Stack stack) {
        List<Line> lines = new ArrayList<>();
        double applies = team.appliesPerDay() * DAYS;
        double plans = team.plansPerDay() * DAYS;
        double objectEvents = 3 * applies + 2 * plans;
        double callerRecords = settings.enrichment() ? objectEvents : 0;
        double sweeps = 730 * 60.0 / settings.sweepMinutes();
        double gb = m.memoryMb() / 1024.0;
        Month month = new Month(m, applies, plans, callerRecords, sweeps);

        double stateInvocations = month.runs(TeamDayCost.Unit::invocations);
        double stateMs = month.runs(TeamDayCost.Unit::billedMs);
        lines.add(new Line("StateEventsFunction requests", stateInvocations, "requests", ListPrices.LAMBDA_REQUEST,
                "one an object event" + (settings.enrichment() ? " and one a CloudTrail record" : "")
                        + " (SQS batches of one)"));
        lines.add(new Line("StateEventsFunction duration", stateMs / 1000 * gb, "GB-s", ListPrices.LAMBDA_ARM_GB_SECOND,
                String.format(Locale.ROOT, "measured: %.0f ms an apply (3 invocations), %.0f ms a plan (2)%s, at %d MB",
                        m.apply().billedMs(), m.plan().billedMs(), settings.enrichment() ? String.format(Locale.ROOT, ", %.0f ms a record",
                                m.callerRecord().billedMs()) : "", m.memoryMb())));
        lines.add(new Line("StaleLockSweepFunction requests", sweeps, "requests", ListPrices.LAMBDA_REQUEST,
                "every " + settings.sweepMinutes() + " minutes"));
        lines.add(new Line("StaleLockSweepFunction duration", sweeps * m.sweep().billedMs() / 1000 * gb, "GB-s",
                ListPrices.LAMBDA_ARM_GB_SECOND, String.format(Locale.ROOT, "measured: %.0f ms a sweep",
                        m.sweep().billedMs())));
        lines.add(new Line("EventBridge Scheduler", sweeps, "invocations", ListPrices.SCHEDULER_INVOCATION, "the sweep's"));
        lines.add(new Line("S3 object events on EventBridge", objectEvents, "events",
                ListPrices.EVENTBRIDGE_OPT_IN_DATA_EVENT, "3 an apply, 2 a plan (opt-in data events)"));
        double ownSqs = month.runs(unit -> unit.requests("sqs:", Set.of("SendMessage")));
        lines.add(new Line("SQS requests", 3 * (objectEvents + callerRecords) + ownSqs, "requests",
                ListPrices.SQS_REQUEST, "a send, a receive and a delete an event, and the function's own sends"));
        lines.add(new Line("SQS idle polling", IDLE_POLLS_A_MONTH, "requests", ListPrices.SQS_REQUEST,
                "assumed: Lambda's five pollers of the state events queue, a 20-second long poll each"));
        double gets = month.all(unit -> unit.requests("s3:", S3_GETS));
        lines.add(new Line("S3 GET and HEAD requests", gets, "requests", ListPrices.S3_GET_REQUEST,
                String.format(Locale.ROOT, "measured: %.1f an apply, %.1f a plan, %.1f a sweep",
                        m.apply().requests("s3:", S3_GETS), m.plan().requests("s3:", S3_GETS),
                        m.sweep().requests("s3:", S3_GETS))));
        double listings = DAYS * 24.0 / stack.fullListingHours();
        double lists = listings * Math.ceil((team.states() + 1) / 1000.0)
                + month.all(unit -> unit.requests("s3:", S3_LISTS));
        lines.add(new Line("S3 LIST requests", lists, "requests", ListPrices.S3_PUT_LIST_REQUEST,
                String.format(Locale.ROOT, "measured: %.1f an apply, %.1f a plan (a lock file's versions); the full "
                                + "listing every %d h, a page per 1,000 objects", m.apply().requests("s3:", S3_LISTS),
                        m.plan().requests("s3:", S3_LISTS), stack.fullListingHours())));
        double writeUnits = Math.ceil(m.historyItemBytes() / 1024);
        double writes = month.all(unit -> unit.requests("dynamodb:", DYNAMODB_WRITES)) * writeUnits;
        lines.add(new Line("DynamoDB write request units", writes, "WRU", ListPrices.DYNAMODB_WRITE_REQUEST_UNIT,
                String.format(Locale.ROOT, "measured: %.1f writes an apply, %.1f a plan, %.1f a sweep",
                        m.apply().requests("dynamodb:", DYNAMODB_WRITES), m.plan().requests("dynamodb:", DYNAMODB_WRITES),
                        m.sweep().requests("dynamodb:", DYNAMODB_WRITES))));
        double reads = month.all(unit -> unit.requests("dynamodb:", DYNAMODB_READS));
        lines.add(new Line("DynamoDB read request units", reads, "RRU", ListPrices.DYNAMODB_READ_REQUEST_UNIT,
                String.format(Locale.ROOT, "measured: %.1f reads an apply, %.1f a plan, %.1f a sweep; one unit each "
                                + "(items under 4 KB)", m.apply().requests("dynamodb:", DYNAMODB_READS),
                        m.plan().requests("dynamodb:", DYNAMODB_READS), m.sweep().requests("dynamodb:", DYNAMODB_READS))));
        // DynamoDB adds 100 bytes of overhead to each item it stores.
        double historyGb = (team.appliesPerDay() * m.historyItemsPerApply() + team.plansPerDay() * m.historyItemsPerPlan())
                * stack.historyRetentionDays() * (m.historyItemBytes() + 100) / ListPrices.GB;
        lines.add(new Line("DynamoDB history storage", historyGb, "GB-month", ListPrices.DYNAMODB_STORAGE_GB_MONTH,
                String.format(Locale.ROOT, "%d days of history, %.1f items an apply, %.0f bytes an item",
                        stack.historyRetentionDays(), m.historyItemsPerApply(), m.historyItemBytes())));
        lines.add(new Line("DynamoDB point-in-time recovery", historyGb, "GB-month", ListPrices.DYNAMODB_PITR_GB_MONTH,
                "the history table's size"));
        double logBytes = month.all(TeamDayCost.Unit::logBytes);
        lines.add(new Line("CloudWatch Logs ingested", logBytes / ListPrices.GB, "GB", ListPrices.CLOUDWATCH_LOGS_INGESTED_GB,
                String.format(Locale.ROOT, "measured: %.0f bytes an apply, %.0f a sweep (JSON lines and metrics)",
                        m.apply().logBytes(), m.sweep().logBytes())));
        lines.add(new Line("CloudWatch Logs stored", logBytes / DAYS * stack.logRetentionDays() / ListPrices.GB,
                "GB-month", ListPrices.CLOUDWATCH_LOGS_STORED_GB_MONTH,
                stack.logRetentionDays() + " days, uncompressed (CloudWatch bills it compressed: less)"));
        lines.add(new Line("CloudWatch custom metrics", m.metrics().size(), "metrics",
                ListPrices.CLOUDWATCH_METRIC_MONTH, "measured: the distinct metrics emitted, each billed the whole month"));
        lines.add(new Line("CloudWatch alarms", stack.alarms(), "alarms", ListPrices.CLOUDWATCH_STANDARD_ALARM_MONTH,
                "the template's, on lock files"));
        if (settings.dashboard()) {
            lines.add(new Line("CloudWatch dashboard", 1, "dashboards", ListPrices.CLOUDWATCH_DASHBOARD_MONTH,
                    "beyond the account's three free ones"));
        }
        if (settings.ownTopic()) {
            lines.add(new Line("KMS key of the alert topic", 1, "keys", ListPrices.KMS_KEY_MONTH, "customer managed"));
            lines.add(new Line("KMS requests", 2 * ALERTS_A_MONTH, "requests", ListPrices.KMS_REQUEST,
                    "assumed: two an alert published"));
        }
        lines.add(new Line("SNS publishes", ALERTS_A_MONTH, "publishes", ListPrices.SNS_PUBLISH,
                "assumed: " + ALERTS_A_MONTH + " alerts a month"));
        lines.add(new Line("SNS email deliveries", ALERTS_A_MONTH, "emails", ListPrices.SNS_EMAIL_DELIVERY,
                "one subscriber"));
        if (settings.enrichment()) {
            lines.add(new Line("CloudTrail data events", callerRecords, "events", ListPrices.CLOUDTRAIL_DATA_EVENT,
                    "the object writes and deletes the trail logs"));
            lines.add(new Line("CloudTrail records on EventBridge", callerRecords, "events",
                    ListPrices.EVENTBRIDGE_OPT_IN_DATA_EVENT, "priced as opt-in data events (an upper bound)"));
            lines.add(new Line("CloudTrail log files (S3 PUT)", 12 * 24 * DAYS, "requests", ListPrices.S3_PUT_LIST_REQUEST,
                    "assumed: a file every 5 minutes"));
        }
        return lines;
    }

    /** A month's runs of each kind, to sum over them what each unit of work was measured to cost. */
    private record Month(TeamDayCost.Measured m, double applies, double plans, double callerRecords, double sweeps) {

        /** Over the applies, plans and CloudTrail records: StateEventsFunction's work. */
        double runs(ToDoubleFunction<TeamDayCost.Unit> each) {
            return applies * each.applyAsDouble(m.apply()) + plans * each.applyAsDouble(m.plan())
                    + callerRecords * each.applyAsDouble(m.callerRecord());
        }

        /** The same, and over the sweeps. */
        double all(ToDoubleFunction<TeamDayCost.Unit> each) {
            return runs(each) + sweeps * each.applyAsDouble(m.sweep());
        }
    }

    static double total(List<Line> lines) {
        return lines.stream().mapToDouble(Line::cost).sum();
    }
}

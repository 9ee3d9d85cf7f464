package dev.lockauditor.runtime;

/**
 * The AWS list prices the project's figures multiply by, in US dollars, in us-east-1, as AWS published them on
 * {@link #AS_OF}, each with the page it is from. No free tier is counted (it is the account's, shared with whatever
 * else runs there). Prices change: the date says how old they are; update them here and nowhere else.
 */
public final class ListPrices {

    public static final String AS_OF = "2026-12-01";
    /** A GB as AWS bills storage and data (2^30 bytes). */
    public static final double GB = 1024.0 * 1024 * 1024;

    // https://aws.amazon.com/lambda/pricing/ (Arm)
    public static final double LAMBDA_ARM_GB_SECOND = 0.0000133334;
    public static final double LAMBDA_REQUEST = 0.20 / 1e6;

    // https://aws.amazon.com/dynamodb/pricing/on-demand/
    public static final double DYNAMODB_WRITE_REQUEST_UNIT = 0.625 / 1e6;
    public static final double DYNAMODB_READ_REQUEST_UNIT = 0.125 / 1e6;
    public static final double DYNAMODB_STORAGE_GB_MONTH = 0.25;
    /** Continuous backups (point-in-time recovery), per GB-month of table size. */
    public static final double DYNAMODB_PITR_GB_MONTH = 0.20;

    // https://aws.amazon.com/s3/pricing/
    /** S3 Standard storage, the first 50 TB, per GB-month. */
    public static final double S3_STANDARD_GB_MONTH = 0.023;
    /** GET, HEAD and the other read requests. */
    public static final double S3_GET_REQUEST = 0.0004 / 1000;
    /** PUT, COPY, POST and LIST requests. */
    public static final double S3_PUT_LIST_REQUEST = 0.005 / 1000;

    // https://aws.amazon.com/sqs/pricing/ (standard queues; each 64 KB chunk of a request is one request)
    public static final double SQS_REQUEST = 0.40 / 1e6;

    // https://aws.amazon.com/sns/pricing/
    public static final double SNS_PUBLISH = 0.50 / 1e6;
    public static final double SNS_EMAIL_DELIVERY = 2.00 / 100_000;

    // https://aws.amazon.com/kms/pricing/
    public static final double KMS_KEY_MONTH = 1.00;
    public static final double KMS_REQUEST = 0.03 / 10_000;

    // https://aws.amazon.com/cloudwatch/pricing/
    public static final double CLOUDWATCH_DASHBOARD_MONTH = 3.00;
    public static final double CLOUDWATCH_STANDARD_ALARM_MONTH = 0.10;
    /** A custom metric (a name and set of dimension values), prorated by the hours it is published in. */
    public static final double CLOUDWATCH_METRIC_MONTH = 0.30;
    public static final double CLOUDWATCH_LOGS_INGESTED_GB = 0.50;
    public static final double CLOUDWATCH_LOGS_STORED_GB_MONTH = 0.03;

    // https://aws.amazon.com/cloudtrail/pricing/
    public static final double CLOUDTRAIL_DATA_EVENT = 0.10 / 100_000;

    // https://aws.amazon.com/eventbridge/pricing/
    /** Events S3 sends to the default bus once the bucket opts in ("AWS opt-in data events"), as custom events. */
    public static final double EVENTBRIDGE_OPT_IN_DATA_EVENT = 1.00 / 1e6;
    /** EventBridge Scheduler invocations. */
    public static final double SCHEDULER_INVOCATION = 1.00 / 1e6;

    private ListPrices() {
    }

    /** A small amount of dollars, readable: {@code $0.0021}, {@code $1.24}. */
    public static String dollars(double amount) {
        return amount >= 1 ? String.format("$%.2f", amount) : amount >= 0.01 ? String.format("$%.3f", amount)
                : amount == 0 ? "$0" : amount < 0.000001 ? "under $0.000001" : String.format("$%.6f", amount);
    }
}

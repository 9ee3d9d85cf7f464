package dev.lockauditor.cli.aws;

/**
 * The AWS list prices the auditor's reports multiply by, in US dollars, us-east-1, as AWS published them on the date
 * below (https://aws.amazon.com/s3/pricing/). Prices change: the date says how old they are.
 */
public final class ListPrices {

    public static final String AS_OF = "2026-12-01";
    /** S3 Standard storage, the first 50 TB, per GB-month. */
    public static final double S3_STANDARD_GB_MONTH = 0.023;
    /** A GB as S3 bills it (2^30 bytes). */
    public static final double GB = 1024.0 * 1024 * 1024;

    private ListPrices() {
    }

    /** A small amount of dollars, readable: {@code $0.0021}, {@code $1.24}. */
    public static String dollars(double amount) {
        return amount >= 1 ? String.format("$%.2f", amount) : amount >= 0.01 ? String.format("$%.3f", amount)
                : amount == 0 ? "$0" : amount < 0.000001 ? "under $0.000001" : String.format("$%.6f", amount);
    }
}

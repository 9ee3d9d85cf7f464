package dev.lockauditor.history;

/** Where a history event came from. */
public enum Source {
    /** The lock table's DynamoDB stream. */
    DYNAMODB("dynamodb"),
    /** A {@code .tflock} lock file in the state bucket. */
    S3_LOCK_FILE("s3"),
    /** The state object in the state bucket. */
    STATE_OBJECT("state"),
    /** A lock, whichever kind: what the stale lock sweep finds is about the lock, not where it was seen. */
    LOCK("lock"),
    /** Reconstructed from the object versions a versioned bucket keeps (backfill), from before the auditor watched. */
    VERSIONS("versions");

    private final String label;

    Source(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The source a label names ({@code dynamodb}, {@code s3}, {@code state}, {@code lock}, {@code versions}). */
    public static Source of(String label) {
        for (Source source : values()) {
            if (source.label.equals(label)) {
                return source;
            }
        }
        throw new IllegalArgumentException("no source " + label);
    }
}

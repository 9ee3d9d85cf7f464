package dev.lockauditor.alert;

/** How urgently an alert needs a person. */
public enum Severity {
    /** Terraform is broken or state was lost: every plan fails, or the state is gone. */
    CRITICAL,
    /** State was changed unsafely; look today. */
    HIGH,
    /** Something is blocking or drifting; look when you can. */
    WARNING,
    /** For the record. */
    INFO;

    /**
     * The severity of this name (any case), as a setting or a document gives it.
     *
     * @param what what gives it, for the error: {@code SLACK_MIN_SEVERITY}, an alert's severity
     */
    public static Severity named(String name, String what) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " must be CRITICAL, HIGH, WARNING or INFO, not '" + name + "'");
        }
    }

    /** Whether an alert of this severity is at least as severe as {@code least}. */
    public boolean atLeast(Severity least) {
        return ordinal() <= least.ordinal();
    }
}

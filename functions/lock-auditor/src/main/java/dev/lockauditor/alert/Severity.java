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
    INFO
}

package dev.lockauditor.rules;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether a state's digest item matches its object. Terraform writes the object, then the digest, and the
 * two events can arrive in either order: a difference is only a mismatch once the pair has had
 * {@code grace} to converge after the later of the two writes.
 */
public final class DigestCheck {

    public enum Verdict {
        /** The digest is the object's MD5. */
        MATCH,
        /** There is no digest item: a lock-file-only backend, or the digest was never written; not checked. */
        NO_DIGEST,
        /** They differ, but the pair can still converge: look again later. */
        WAIT,
        /** They differ and had their grace: every plan on this state fails. */
        MISMATCH
    }

    private DigestCheck() {
    }

    public static Verdict evaluate(String expectedDigest, String actualMd5, Instant lastWrite, Instant now,
                                   Duration grace) {
        if (expectedDigest == null) {
            return Verdict.NO_DIGEST;
        }
        if (expectedDigest.equals(actualMd5)) {
            return Verdict.MATCH;
        }
        return now.isBefore(lastWrite.plus(grace)) ? Verdict.WAIT : Verdict.MISMATCH;
    }
}

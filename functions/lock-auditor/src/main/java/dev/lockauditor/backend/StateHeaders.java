package dev.lockauditor.backend;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.Facts;
import dev.lockauditor.terraform.ContentKind;
import dev.lockauditor.terraform.StateHeader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * An object's header as its history records it: the one reading of what an object written at a state's key is, for
 * the state events, the sweep's reconciliation and {@code audit} alike. Its first bytes are read with one ranged GET,
 * which is all a state as Terraform and OpenTofu write it costs when it is smaller than them; a larger one costs a
 * second ranged GET of its last bytes, which must close its JSON object (a state cut short after its header is not
 * one Terraform can load). When the first bytes hold no complete header (keys reordered, the header far down), the
 * rest is read once, as a stream, through the header parser and, when asked, an MD5, in constant memory.
 */
public final class StateHeaders {

    /**
     * What was read.
     *
     * @param header      the header, when it is a state (an encrypted OpenTofu state has its serial and lineage only)
     * @param unreadable  why it could not be read: S3 would not let the auditor, or it was overwritten first
     * @param notAState   why it is not a state Terraform or OpenTofu would load, or null when it is one
     * @param found       what its first bytes are, when it is not a state ("an HTML page"), never the bytes
     * @param contentType its Content-Type, when S3 gave it
     * @param md5         the MD5 of its bytes, when it was read to its end with one asked for
     */
    public record Read(StateHeader header, String unreadable, String notAState, String found, String contentType,
                       String md5, ObjectHead.Encryption encryption) {

        /** Whether this object's ETag is the MD5 of its body, when the read said how it is encrypted. */
        public Boolean etagIsMd5(String etag) {
            return encryption == null || etag == null ? null : ObjectHead.etagIsMd5(etag, encryption);
        }

        /** What history keeps of the write this read: {@code object} as its event (or listing) names it. */
        public Facts.StateWritten written(Facts.ObjectFacts object) {
            return new Facts.StateWritten(object, fields(), whyNoHeader(), found, contentType, etagIsMd5(object.etag()));
        }

        /** The fields history keeps: null when there is no serial and lineage to keep. */
        public Facts.Header fields() {
            return header == null || header.serial() == null || header.lineage() == null ? null
                    : new Facts.Header(header.version(), header.terraformVersion(), header.serial(), header.lineage());
        }

        /** Why its header is not in history: it could not be read, it is not a state, or it is encrypted. */
        public String whyNoHeader() {
            if (unreadable != null) {
                return unreadable;
            }
            if (notAState != null) {
                return "not a state: " + notAState;
            }
            return header != null && header.encrypted() ? "OpenTofu state encryption" : null;
        }

        public boolean isState() {
            return header != null;
        }
    }

    private StateHeaders() {
    }

    /**
     * Reads an object written at a state's key: its version when {@code versionId} is set, else the current object
     * while its ETag is still {@code etag} (when set).
     *
     * @param md5 whether to compute the object's MD5 if it has to be read to its end anyway
     * @return empty when the object was gone before it could be read
     */
    public static Optional<Read> read(StateBucket bucket, String key, String versionId, String etag, boolean md5) {
        Optional<StateBucket.Start> start;
        try {
            start = bucket.startOfWrite(key, versionId, etag, StateHeader.PREFIX_BYTES);
        } catch (StateBucket.Unreadable e) {
            return Optional.of(new Read(null, e.getMessage(), null, null, null, null, null));
        }
        if (start.isEmpty()) {
            return Optional.empty();
        }
        byte[] first = start.get().bytes();
        StateHeader.Reading reading = StateHeader.ofStart(first, start.get().whole());
        String readMd5 = null;
        // Read the rest of the object the first bytes came from: its version, else the ETag the event or the read gave.
        String same = versionId == null && (etag == null || etag.isEmpty()) ? start.get().etag() : etag;
        Long size = start.get().size();
        try {
            if (reading instanceof StateHeader.Found && !start.get().whole() && size != null && size > first.length) {
                Optional<InputStream> end = bucket.rest(key, versionId, same, Math.max(0, size - StateHeader.END_BYTES));
                if (end.isEmpty()) {
                    return Optional.empty();
                }
                byte[] last;
                try (InputStream in = end.get()) {
                    last = in.readNBytes(StateHeader.END_BYTES);
                }
                String cut = StateHeader.endNotAState(last);
                if (cut != null) {
                    reading = new StateHeader.NotAState(cut);
                }
            } else if (reading instanceof StateHeader.ReadOn) {
                MessageDigest digest = md5 ? md5() : null;
                Optional<InputStream> rest = bucket.rest(key, versionId, same, first.length);
                if (rest.isEmpty()) {
                    return Optional.empty();
                }
                InputStream whole = new SequenceInputStream(new ByteArrayInputStream(first), rest.get());
                try (InputStream in = digest == null ? whole : new DigestInputStream(whole, digest)) {
                    reading = StateHeader.of(in);
                    if (digest != null) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                        readMd5 = HexFormat.of().formatHex(digest.digest());
                    }
                }
            }
        } catch (StateBucket.Unreadable e) {
            return Optional.of(new Read(null, e.getMessage(), null, null, null, null, null));
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket.name() + "/" + key + " failed", e);
        }
        if (reading instanceof StateHeader.Found found) {
            return Optional.of(new Read(found.header(), null, null, null, start.get().contentType(), readMd5,
                    start.get().encryption()));
        }
        return Optional.of(new Read(null, null, ((StateHeader.NotAState) reading).reason(), ContentKind.of(first),
                start.get().contentType(), readMd5, start.get().encryption()));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

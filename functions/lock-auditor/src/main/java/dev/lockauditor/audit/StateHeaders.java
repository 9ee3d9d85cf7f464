package dev.lockauditor.audit;

import dev.lockauditor.backend.StateBucket;
import dev.lockauditor.history.Facts;
import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StateHeader;
import java.util.Optional;

/** A state object's header as its history records it: its fields, or why they could not be read. */
final class StateHeaders {

    /**
     * @param header     the header read, or null when the object could not be read
     * @param unreadable why its fields could not be read (S3 would not let the auditor, OpenTofu state encryption), or null
     */
    record Read(StateHeader header, String unreadable) {

        /** The fields history keeps: null when there is no serial and lineage to keep. */
        Facts.Header fields() {
            return header == null || header.serial() == null || header.lineage() == null ? null
                    : new Facts.Header(header.version(), header.terraformVersion(), header.serial(), header.lineage());
        }
    }

    /** The first bytes of an object, as one of the bucket's reads gives them. */
    @FunctionalInterface
    interface Prefix {
        Optional<byte[]> read();
    }

    private StateHeaders() {
    }

    /**
     * @return empty when the object was gone before it could be read
     * @throws MalformedException when it is not a Terraform state
     */
    static Optional<Read> read(Prefix prefix) throws MalformedException {
        StateHeader header;
        try {
            Optional<byte[]> bytes = prefix.read();
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            header = StateHeader.parse(bytes.get());
        } catch (StateBucket.Unreadable e) {
            return Optional.of(new Read(null, e.getMessage()));
        }
        return Optional.of(new Read(header, header.encrypted() ? "OpenTofu state encryption" : null));
    }
}

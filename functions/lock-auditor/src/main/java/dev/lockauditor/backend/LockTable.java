package dev.lockauditor.backend;

import dev.lockauditor.terraform.LockInfo;
import dev.lockauditor.terraform.LockTableItem;
import java.util.List;
import java.util.Optional;

/** The Terraform lock table, read only. */
public interface LockTable {

    /** The lock held on a state now, if any (and if its item is Terraform's). */
    Optional<LockInfo> lock(String lockPath);

    /** The digest the table holds for a state now, if any. */
    Optional<String> digest(String lockPath);

    /** Every item of the table, classified: locks, digests, and whatever else is in it. */
    List<LockTableItem> scan();
}

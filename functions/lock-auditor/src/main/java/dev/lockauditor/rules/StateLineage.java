package dev.lockauditor.rules;

import dev.lockauditor.alert.AlertType;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Rollbacks and conflicts: a state's {@code serial} grows with every write of the same {@code lineage}. A lower
 * serial for the same lineage is an older state pushed over a newer one; another lineage is a different state;
 * the same serial and lineage with different content is two writes from the same starting state (Terraform never
 * writes that), the later dropping what the earlier wrote. A write after its state was deleted starts a new state
 * and is compared with nothing before the deletion.
 */
public final class StateLineage {

    private StateLineage() {
    }

    /** What a write with {@code serial}/{@code lineage} after one with the previous ones is, if it is wrong. */
    public static Optional<AlertType> check(Long previousSerial, String previousLineage, Long serial, String lineage) {
        return check(previousSerial, previousLineage, serial, lineage, () -> false);
    }

    /**
     * @param contentDiffers whether the two writes' contents differ: asked only for the same serial and lineage,
     *                       and answered false when it cannot be told
     */
    public static Optional<AlertType> check(Long previousSerial, String previousLineage, Long serial, String lineage,
                                            BooleanSupplier contentDiffers) {
        if (previousLineage == null || lineage == null || previousSerial == null || serial == null) {
            return Optional.empty();
        }
        if (!previousLineage.equals(lineage)) {
            return Optional.of(AlertType.LINEAGE_CHANGED);
        }
        if (serial < previousSerial) {
            return Optional.of(AlertType.SERIAL_REGRESSION);
        }
        return serial.equals(previousSerial) && contentDiffers.getAsBoolean()
                ? Optional.of(AlertType.SERIAL_CONFLICT) : Optional.empty();
    }
}

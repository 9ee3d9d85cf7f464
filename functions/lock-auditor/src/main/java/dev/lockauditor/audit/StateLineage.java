package dev.lockauditor.audit;

import dev.lockauditor.alert.AlertType;
import java.util.Optional;

/**
 * Rollbacks: a state's {@code serial} grows with every write of the same {@code lineage}. A lower serial
 * for the same lineage is an older state pushed over a newer one; another lineage is a different state.
 */
public final class StateLineage {

    private StateLineage() {
    }

    /** What a write with {@code serial}/{@code lineage} after one with the previous ones is, if it is wrong. */
    public static Optional<AlertType> check(Long previousSerial, String previousLineage, Long serial, String lineage) {
        if (previousLineage == null || lineage == null || previousSerial == null || serial == null) {
            return Optional.empty();
        }
        if (!previousLineage.equals(lineage)) {
            return Optional.of(AlertType.LINEAGE_CHANGED);
        }
        return serial < previousSerial ? Optional.of(AlertType.SERIAL_REGRESSION) : Optional.empty();
    }
}

package dev.lockauditor.audit;

import dev.lockauditor.history.HistoryEntry;
import dev.lockauditor.terraform.LockInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A lock's facts as lock history records them, whichever kind of lock it is. */
final class LockFacts {

    private static final List<String> NAMES = List.of("lockId", "operation", "who", "version", "created", "info");

    private LockFacts() {
    }

    static Map<String, Object> of(LockInfo info) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("lockId", info.id());
        facts.put("operation", info.operation());
        facts.put("who", info.who());
        facts.put("version", info.version());
        facts.put("created", info.created());
        if (!info.info().isEmpty()) {
            facts.put("info", info.info());
        }
        return facts;
    }

    /** The lock facts of a history entry that has them. */
    static Map<String, Object> of(HistoryEntry entry) {
        Map<String, Object> facts = new LinkedHashMap<>();
        for (String name : NAMES) {
            if (entry.string(name) != null) {
                facts.put(name, entry.string(name));
            }
        }
        return facts;
    }
}

package dev.lockauditor.terraform;

import java.util.Set;

/** What a lock's {@code Operation} says Terraform or OpenTofu was doing. */
public final class Operations {

    /**
     * What {@code terraform workspace delete} and {@code tofu workspace delete} lock a state with before they delete
     * it: both tools label it {@code state-replace-provider} (a label copied from that command); {@code workspace-delete}
     * is the name the label should have.
     */
    static final Set<String> WORKSPACE_DELETE = Set.of("state-replace-provider", "workspace-delete");

    private Operations() {
    }

    public static boolean isWorkspaceDelete(String operation) {
        return operation != null && WORKSPACE_DELETE.contains(operation);
    }
}

package dev.lockauditor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.terraform.MalformedException;
import dev.lockauditor.terraform.StatePath;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ENVIRONMENTS at its edges. */
class EnvironmentsTest {

    static StatePath state(String key) throws MalformedException {
        return StatePath.parse("acme-tfstate/" + key, "env:");
    }

    final Environments environments = Environments.of(
            "production=env:/prod/*,prod/*;staging=env:/staging/*;sandbox=*", "shared");

    EnvironmentsTest() throws MalformedException {
    }

    @Test
    void theFirstMatchWinsInTheOrderWritten() throws Exception {
        assertEquals("production", environments.of(state("env:/prod/network/terraform.tfstate")));
        assertEquals("production", environments.of(state("prod/network/terraform.tfstate")));
        assertEquals("staging", environments.of(state("env:/staging/network/terraform.tfstate")));
        assertEquals("sandbox", environments.of(state("env:/dev-alice/network/terraform.tfstate")),
                "the catch-all after the others");
        assertEquals(List.of("production", "staging", "sandbox", "shared"), environments.names());
    }

    @Test
    void aStateNoPatternMatchesIsInTheDefaultEnvironment() throws Exception {
        Environments mapped = Environments.of("production=env:/prod/*", "shared");
        assertEquals("shared", mapped.of(state("network/terraform.tfstate")));
        assertEquals("shared", Environments.of("", "shared").of(state("env:/prod/network/terraform.tfstate")));
    }

    @Test
    void aWorkspaceNamedLikeAPrefixIsNotInThatEnvironment() throws Exception {
        Environments mapped = Environments.of("production=env:/prod/*,prod/*", "shared");
        assertEquals("shared", mapped.of(state("env:/prod-eu/network/terraform.tfstate")));
        assertEquals("shared", mapped.of(state("env:/production/network/terraform.tfstate")));
        assertEquals("shared", mapped.of(state("products/terraform.tfstate")));
        assertEquals("production", mapped.of(state("env:/prod/prod-eu/terraform.tfstate")));
    }

    @Test
    void aPatternMayNameTheWholeLockPath() throws Exception {
        Environments mapped = Environments.of("production=acme-tfstate/env:/prod/*", "shared");
        assertEquals("production", mapped.of(state("env:/prod/network/terraform.tfstate")));
        assertEquals("shared", mapped.of(StatePath.parse("other-tfstate/env:/prod/network/terraform.tfstate", "env:")));
    }

    @Test
    void aMalformedMappingSaysWhichEntry() {
        MalformedException noName = assertThrows(MalformedException.class,
                () -> Environments.of("=env:/prod/*", "shared"));
        assertTrue(noName.getMessage().contains("'=env:/prod/*'"), noName.getMessage());
        assertThrows(MalformedException.class, () -> Environments.of("production", "shared"));
        assertThrows(MalformedException.class, () -> Environments.of("production=env:/prod/*,", "shared"));
        assertThrows(MalformedException.class, () -> Environments.of("prod uction=env:/prod/*", "shared"));
    }
}

package dev.lockauditor.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StatePathTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // lock path | workspace_key_prefix | bucket | key | workspace
            "mybucket/terraform.tfstate | env: | mybucket | terraform.tfstate | default",
            "mybucket/network/terraform.tfstate | env: | mybucket | network/terraform.tfstate | default",
            "mybucket/env:/staging/network/terraform.tfstate | env: | mybucket | env:/staging/network/terraform.tfstate | staging",
            "mybucket/env:/prod-eu/terraform.tfstate | env: | mybucket | env:/prod-eu/terraform.tfstate | prod-eu",
            "mybucket/workspaces/staging/network/terraform.tfstate | workspaces | mybucket | workspaces/staging/network/terraform.tfstate | staging",
            "mybucket/env:/staging/network/terraform.tfstate | workspaces | mybucket | env:/staging/network/terraform.tfstate | default",
            "mybucket/teams/a/ws/staging/app.tfstate | teams/a/ws | mybucket | teams/a/ws/staging/app.tfstate | staging",
            "mybucket/staging/network/terraform.tfstate | '' | mybucket | staging/network/terraform.tfstate | staging",
            "mybucket/terraform.tfstate | '' | mybucket | terraform.tfstate | default",
            "mybucket/env:/terraform.tfstate | env: | mybucket | env:/terraform.tfstate | default",
    })
    void splitsBucketKeyAndWorkspace(String lockPath, String prefix, String bucket, String key, String workspace)
            throws Exception {
        StatePath state = StatePath.parse(lockPath, prefix);

        assertEquals(new StatePath(lockPath, bucket, key, workspace), state);
        assertEquals(lockPath, state.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"terraform.tfstate", "/terraform.tfstate", "mybucket/", ""})
    void rejectsWhatIsNotABucketAndKey(String lockPath) {
        assertThrows(MalformedException.class, () -> StatePath.parse(lockPath, "env:"));
    }
}

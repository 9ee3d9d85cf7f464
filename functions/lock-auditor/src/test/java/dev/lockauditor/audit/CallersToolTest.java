package dev.lockauditor.audit;

import dev.lockauditor.rules.Callers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The tool a user agent names, from what each one writes in it. */
class CallersToolTest {

    @Test
    void terraformOpenTofuTheCliTheConsoleAndTheRest() {
        assertEquals("terraform 1.11.2", Callers.tool("APN/1.0 HashiCorp/1.0 Terraform/1.11.2 (+https://www.terraform.io) "
                + "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 api/s3#1.71.0"));
        assertEquals("terraform 1.5.7", Callers.tool("[APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) "
                + "aws-sdk-go/1.44.122 (go1.20.7; linux; amd64)]"));
        assertEquals("tofu 1.10.0", Callers.tool("APN/1.0 OpenTofu/1.10.0 aws-sdk-go-v2/1.32.6 ua/2.1 os/darwin"));
        assertEquals("tofu 1.10.0", Callers.tool("APN/1.0 OpenTofu/1.0 OpenTofu/1.10.0 aws-sdk-go-v2/1.32.6"));
        assertEquals("aws-cli 2.15.30", Callers.tool("[aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0]"));
        assertEquals("aws-cli 1.16.96", Callers.tool("[aws-cli/1.16.96 Python/2.7.12 Linux/4.4.0-146-generic botocore/1.12.86]"));
        assertEquals("console", Callers.tool("console.aws.amazon.com"));
        assertEquals("console", Callers.tool("AWS Internal"));
        assertEquals("sdk", Callers.tool("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux"));
        assertEquals("sdk", Callers.tool("aws-sdk-java/2.29.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/17"));
        assertEquals("sdk", Callers.tool("terraform-but-not-really/2.0"), "a name is not a version");
        assertNull(Callers.tool(null));
        assertNull(Callers.tool(""));
    }
}

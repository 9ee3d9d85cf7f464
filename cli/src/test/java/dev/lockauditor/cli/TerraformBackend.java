package dev.lockauditor.cli;

import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.runtime.TerraformS3Backend;
import dev.lockauditor.aws.AwsClients;

/** A Terraform S3 backend on the tests' moto_server, named for one test. */
final class TerraformBackend extends TerraformS3Backend {

    TerraformBackend(String name) {
        super(AwsClients.forTools(MotoServer.environment()), name + "-tfstate", name + "-locks");
    }

    @Override
    public TerraformBackend createLockTable(software.amazon.awssdk.services.dynamodb.model.StreamViewType streamViewType) {
        super.createLockTable(streamViewType);
        return this;
    }

    @Override
    public TerraformBackend createBucket() {
        super.createBucket();
        return this;
    }
}

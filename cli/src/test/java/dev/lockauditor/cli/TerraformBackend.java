package dev.lockauditor.cli;

import dev.lockauditor.aws.AwsClients;

/** A Terraform S3 backend on the tests' moto_server, named for one test. */
final class TerraformBackend extends TerraformS3Backend {

    TerraformBackend(String name) {
        super(AwsClients.forTools(MotoServer.environment()), name + "-tfstate", name + "-locks");
    }

    @Override
    TerraformBackend createLockTable(software.amazon.awssdk.services.dynamodb.model.StreamViewType streamViewType) {
        super.createLockTable(streamViewType);
        return this;
    }

    @Override
    TerraformBackend createBucket() {
        super.createBucket();
        return this;
    }
}

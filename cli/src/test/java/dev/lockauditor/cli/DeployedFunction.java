package dev.lockauditor.cli;

import dev.lockauditor.testsupport.AwsCall;
import dev.lockauditor.testsupport.MotoProxy;
import dev.lockauditor.testsupport.MotoServer;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.RuntimeApi;
import dev.lockauditor.runtime.SqsEnvelope;
import dev.lockauditor.runtime.SamTemplate;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A function as template.yaml deploys it, packaged as {@code sam build} packages it and run under AWS's runtime
 * interface client, talking to moto through a proxy that records every request it makes.
 */
final class DeployedFunction implements AutoCloseable {

    final LambdaProcess process;
    final MotoProxy proxy;

    private DeployedFunction(LambdaProcess process, MotoProxy proxy) {
        this.process = process;
        this.proxy = proxy;
    }

    static DeployedFunction start(SamTemplate.Function function, Path packageFolder, OutputStream logs) throws Exception {
        MotoProxy proxy = new MotoProxy(MotoServer.endpoint());
        Map<String, String> environment = MotoServer.environment();
        environment.put("AWS_ENDPOINT_URL", proxy.endpoint());
        try {
            return new DeployedFunction(LambdaProcess.start(function, packageFolder, environment, logs), proxy);
        } catch (Exception e) {
            proxy.close();
            throw e;
        }
    }

    /** One invocation; StateEventsFunction, triggered by SQS, gets a bare document as the body of one message. */
    RuntimeApi.Invocation invoke(byte[] event) throws InterruptedException {
        return process.invoke(process.function().name().equals("StateEventsFunction")
                ? SqsEnvelope.ifBare(event, "us-east-1") : event);
    }

    /** The requests it made so far, in order. */
    List<AwsCall> calls() {
        return List.copyOf(proxy.calls);
    }

    @Override
    public void close() {
        process.close();
        proxy.close();
    }
}

package dev.lockauditor.handler;

import dev.lockauditor.aws.AwsClients;
import dev.lockauditor.config.Config;
import dev.lockauditor.metrics.Metrics;
import org.crac.Core;
import org.crac.Resource;

/**
 * What the handlers of the functions that read the backend share: their components, wired once per execution
 * environment, and SnapStart's priming. Before the snapshot, a handler runs its own path once over a backend in memory
 * ({@link #primeOnce()}); deployed, the AWS clients' request paths are driven too, answered locally.
 */
abstract class SnapStartHandler implements Resource {

    final Components components;

    /** Deployed components ({@link Components#forLambda}) take part in SnapStart's checkpoint. */
    SnapStartHandler(Components components) {
        this.components = components;
        if (components.deployed()) {
            Core.getGlobalContext().register(this);
        }
    }

    /** Everything wired from the environment, as the constructor Lambda calls needs it. */
    static Components fromEnvironment() {
        return Components.forLambda(Config.fromEnvironment(), AwsClients.forLambda(System.getenv()));
    }

    /** Where the handler counts what it did. */
    Metrics metrics() {
        return components.metrics();
    }

    /** Runs one invocation's work, then writes its metrics, whatever happened. */
    <T> T flushingMetrics(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } finally {
            components.metrics().flush();
        }
    }

    /** Runs the handler's own path once, over {@link Priming#components()}. */
    abstract void primeOnce();

    @Override
    public final void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        primeOnce();
        if (components.deployed()) {
            Priming.sdk(components);
        }
    }

    @Override
    public final void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: clients resolve credentials when they sign a request.
    }
}

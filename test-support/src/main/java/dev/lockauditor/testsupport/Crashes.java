package dev.lockauditor.testsupport;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Kills an invocation partway, as a timeout or an out-of-memory kills a function: armed before an invocation, it lets
 * a number of the functions' AWS requests go through, then throws an {@link Error} from the next one, which no
 * handler catches. What those requests wrote stays written; the event comes back as Lambda brings it back.
 */
public final class Crashes implements ExecutionInterceptor {

    /** The invocation died here. */
    public static final class Crashed extends Error {
        Crashed() {
            super("the invocation died partway (a timeout)", null, false, false);
        }
    }

    private int requestsLeft = -1;
    private boolean crashed;

    /** The next invocation makes {@code requests} requests (at least one), then dies at its next one. */
    public synchronized void arm(int requests) {
        requestsLeft = Math.max(1, requests);
        crashed = false;
    }

    /** Ends the invocation's arming; returns whether it crashed. */
    public synchronized boolean disarm() {
        requestsLeft = -1;
        boolean was = crashed;
        crashed = false;
        return was;
    }

    @Override
    public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (requestsLeft == 0) {
            requestsLeft = -1;
            crashed = true;
            throw new Crashed();
        }
        if (requestsLeft > 0) {
            requestsLeft--;
        }
    }
}

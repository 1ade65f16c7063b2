package dev.kurz.web;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.MDC;

/**
 * Carries a routed request's log context ({@code requestId} in the MDC) across the hops between
 * the event loop and virtual threads: the MDC is per thread, so each piece of a request that runs
 * later or elsewhere (a blocking call, its continuation, a key lookup's answer) runs inside
 * {@link #run}, which sets the request's fields and puts back what the thread had.
 */
final class RequestScope {
    static final String REQUEST_ID = "requestId";

    private RequestScope() {}

    /** Runs {@code r} with the request's MDC fields. */
    static void run(RoutingContext ctx, Runnable r) {
        String previous = MDC.get(REQUEST_ID);
        MDC.put(REQUEST_ID, RequestInfo.requestId(ctx));
        try {
            r.run();
        } finally {
            if (previous == null) MDC.remove(REQUEST_ID);
            else MDC.put(REQUEST_ID, previous);
        }
    }

    /** {@code r} to run later or on another thread, in this request's scope. */
    static Runnable wrap(RoutingContext ctx, Runnable r) {
        return () -> run(ctx, r);
    }
}

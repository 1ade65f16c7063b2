package dev.kurz.web;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.MDC;

/**
 * Carries a routed request's log context ({@code requestId} in the MDC) across the hops between
 * the event loop and virtual threads: the MDC is per thread, so each piece of a request that runs
 * later or elsewhere (a blocking call, its continuation, a key lookup's answer) runs inside
 * {@link #run}, which sets the request's fields ({@code requestId}, and {@code traceId} and
 * {@code spanId} when traced) and the trace context, and puts back what the thread had.
 */
final class RequestScope {
    static final String REQUEST_ID = "requestId";
    static final String TRACE_ID = "traceId";
    static final String SPAN_ID = "spanId";

    private RequestScope() {}

    /** Runs {@code r} with the request's MDC fields and, when traced, its span as the current context. */
    static void run(RoutingContext ctx, Runnable r) {
        String previous = MDC.get(REQUEST_ID);
        String previousTrace = MDC.get(TRACE_ID);
        String previousSpan = MDC.get(SPAN_ID);
        MDC.put(REQUEST_ID, RequestInfo.requestId(ctx));
        Span span = Tracing.span(ctx);
        if (span != null && span.getSpanContext().isValid()) {
            MDC.put(TRACE_ID, span.getSpanContext().getTraceId());
            MDC.put(SPAN_ID, span.getSpanContext().getSpanId());
        }
        try (Scope ignored = Tracing.enter(ctx)) {
            r.run();
        } finally {
            restore(REQUEST_ID, previous);
            restore(TRACE_ID, previousTrace);
            restore(SPAN_ID, previousSpan);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) MDC.remove(key);
        else MDC.put(key, value);
    }

    /** {@code r} to run later or on another thread, in this request's scope. */
    static Runnable wrap(RoutingContext ctx, Runnable r) {
        return () -> run(ctx, r);
    }
}

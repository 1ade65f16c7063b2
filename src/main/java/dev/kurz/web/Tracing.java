package dev.kurz.web;

import dev.kurz.ops.RedirectTimers.Outcome;
import dev.kurz.ops.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Server spans: one per routed request, named by method and route template, its parent taken from
 * the caller's {@code traceparent}; it becomes the current context wherever the request's handlers
 * run ({@link RequestScope}), so database statements on the blocking side become its children. A
 * sampled redirect gets a span after the fact, dated from the redirect's own start.
 */
final class Tracing {
    private static final String SPAN = "kurz.span";
    private static final TextMapGetter<HttpServerRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServerRequest req) {
            return req.headers().names();
        }

        @Override
        public String get(HttpServerRequest req, String key) {
            return req == null ? null : req.getHeader(key);
        }
    };

    private final Telemetry telemetry;

    Tracing(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    /** Starts the request's span; it ends when the response has been sent (or the connection closed). */
    void start(RoutingContext ctx, String method, String route) {
        HttpServerRequest req = ctx.request();
        Context parent = telemetry.propagator().extract(Context.root(), req, HEADERS);
        Span span = telemetry.tracer().spanBuilder(method + " " + route)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("http.route", route)
                .setAttribute("url.path", req.path())
                .setAttribute("kurz.request_id", RequestInfo.requestId(ctx))
                .startSpan();
        ctx.put(SPAN, span);
        ctx.addEndHandler(v -> {
            int status = ctx.response().getStatusCode();
            span.setAttribute("http.response.status_code", status);
            if (status >= 500) span.setStatus(StatusCode.ERROR);
            span.end();
        });
    }

    /** Makes the request's span current on this thread; a no-op scope when the request has none. */
    static Scope enter(RoutingContext ctx) {
        Span span = ctx.get(SPAN);
        return span == null ? Scope.noop() : span.makeCurrent();
    }

    static Span span(RoutingContext ctx) {
        return ctx.get(SPAN);
    }

    /** A span for a redirect that was chosen for sampling, started {@code elapsedNanos} ago and ended now. */
    void redirect(HttpServerRequest req, Outcome outcome, long elapsedNanos) {
        long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        Context parent = telemetry.propagator().extract(Context.root(), req, HEADERS);
        String method = req.method().name();
        Span span = telemetry.tracer().spanBuilder(method + " /{slug}")
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(now - elapsedNanos, TimeUnit.NANOSECONDS)
                .setAttribute("http.request.method", method)
                .setAttribute("http.route", "/{slug}")
                .setAttribute("url.path", req.path())
                .setAttribute("http.response.status_code", req.response().getStatusCode())
                .setAttribute("kurz.redirect.outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                .startSpan();
        if (outcome == Outcome.FAILED) span.setStatus(StatusCode.ERROR);
        span.end(now, TimeUnit.NANOSECONDS);
    }
}

package dev.kurz.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The first handler after {@link RequestInfo} on every routed (non-redirect) request: starts its
 * span when tracing ({@link Tracing}) and times it into
 * {@code http_server_requests_seconds} by method, route template and status class. Labels stay
 * bounded: the route is the template of the route that serves the path ({@code /api/v1/links/:slug})
 * or {@code other}, the method one of the few Kurz serves or {@code other}. The rest of the
 * request's handlers run in its {@link RequestScope} (request id in the log context).
 */
final class HttpObserver implements Handler<RoutingContext> {
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Tracing tracing;
    private Endpoints endpoints;

    /** @param tracing null when tracing is off */
    HttpObserver(MeterRegistry registry, Tracing tracing) {
        this.registry = registry;
        this.tracing = tracing;
    }

    /** The router whose routes name the templates; set once it is built (and read now, not on the first request). */
    void routes(Router router) {
        Endpoints e = new Endpoints(router);
        e.routeOf("/");
        this.endpoints = e;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        String route = route(ctx.request().path());
        String method = method(ctx.request().method().name());
        ctx.addEndHandler(v -> timer(method, route, ctx.response().getStatusCode()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        if (tracing != null) tracing.start(ctx, method, route);
        RequestScope.run(ctx, ctx::next);
    }

    String route(String path) {
        String t = endpoints == null ? null : endpoints.routeOf(path);
        if (t != null) return t;
        if (path != null && (path.equals("/app") || path.startsWith("/app/"))) return "/app/*";
        return "other";
    }

    private Timer timer(String method, String route, int status) {
        return Timer.builder("http.server.requests")
                .description("Routed HTTP requests (everything but redirects) by method, route template and status class.")
                .tag("method", method)
                .tag("route", route)
                .tag("status", status >= 100 && status < 600 ? (status / 100) + "xx" : "other")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    private static String method(String m) {
        return switch (m) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> m;
            default -> "other";
        };
    }
}

package dev.kurz.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * CORS for the API by allowlist ({@code KURZ_CORS_ORIGINS}): an allowed origin gets the CORS
 * headers and its preflights are answered (204); any other origin gets none, so browsers keep
 * their same-origin rule. Keys travel in headers, never cookies, so credentials are not allowed.
 */
final class Cors {
    static final Cors NONE = new Cors(List.of());
    private static final String METHODS = "GET, POST, PATCH, PUT, DELETE, OPTIONS";
    private static final String HEADERS = "X-Api-Key, Authorization, Content-Type, Idempotency-Key, X-Request-Id";
    private static final String EXPOSED = "Location, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id, Idempotent-Replayed";

    private final boolean any;
    private final Set<String> origins;

    Cors(List<String> origins) {
        this.any = origins.contains("*");
        this.origins = Set.copyOf(origins);
    }

    void handle(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (origin == null || !(any || origins.contains(origin.toLowerCase(java.util.Locale.ROOT)))) {
            ctx.next();
            return;
        }
        var h = ctx.response().headers();
        h.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, any ? "*" : origin);
        if (!any) h.add(HttpHeaders.VARY, "Origin");
        boolean preflight = ctx.request().method() == HttpMethod.OPTIONS
                && ctx.request().getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
        if (!preflight) {
            h.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
            ctx.next();
            return;
        }
        h.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, METHODS)
                .set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, HEADERS)
                .set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "600");
        ctx.response().setStatusCode(204).end();
    }
}

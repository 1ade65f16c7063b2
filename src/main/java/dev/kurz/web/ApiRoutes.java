package dev.kurz.web;

import dev.kurz.auth.ApiKeys;
import dev.kurz.auth.Principal;
import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkService;
import dev.kurz.ops.Health;
import dev.kurz.problem.ProblemException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything but the redirect: the JSON API, health, the OpenAPI document. */
final class ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    static final long BODY_LIMIT = 1024 * 1024;
    private static final String PRINCIPAL = "kurz.principal";
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final java.util.regex.Pattern ENDPOINTS =
            java.util.regex.Pattern.compile("/api/v1/links(/[^/]+(/(stats|clicks|qr))?)?|/api/v1/stats|/api/v1/live(/sse)?|/api/v1/alerts(/[^/]+)?|/health/(live|ready)|/metrics|/api/openapi\\.yaml");

    private final LinkService links;
    private final ApiKeys keys;
    private final Health health;
    private final Blocking blocking;
    private final String base;
    private final Buffer openApi;

    private final StatsRoutes stats;
    private final LiveRoutes live;
    private final List<java.util.function.Consumer<Router>> modules;
    private final dev.kurz.analytics.TrustedProxies proxies;
    private final Throttle throttle;

    /** @param modules more routes (alerts, QR codes, the web UI), mounted after authentication */
    ApiRoutes(LinkService links, ApiKeys keys, Health health, Blocking blocking, String base, StatsRoutes stats, LiveRoutes live,
              List<java.util.function.Consumer<Router>> modules, dev.kurz.analytics.TrustedProxies proxies, Throttle throttle) {
        this.throttle = throttle;
        this.proxies = proxies;
        this.stats = stats;
        this.live = live;
        this.modules = modules;
        this.links = links;
        this.keys = keys;
        this.health = health;
        this.blocking = blocking;
        this.base = base;
        this.openApi = resource("/api/openapi.yaml");
    }

    Router router(Vertx vertx) {
        Router r = Router.router(vertx);
        r.route().handler(RequestInfo.filter(proxies));
        r.route().handler(ApiRoutes::securityHeaders);

        r.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        r.get("/health/ready").handler(this::ready);
        r.get("/api/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(openApi));

        // The body is read first (bounded): authentication may complete later, off the event loop,
        // and a request body must have a reader from the start.
        r.route("/api/v1/*").method(HttpMethod.POST).method(HttpMethod.PATCH).method(HttpMethod.PUT)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        live.mountWebSocket(r); // authenticates by its first message, not by header
        r.route("/api/v1/*").handler(this::authenticate);
        r.route("/api/v1/*").handler(ctx -> throttle.api(ctx, ctx.get(PRINCIPAL)));
        r.route("/api/v1/*").method(HttpMethod.POST).method(HttpMethod.PATCH).method(HttpMethod.PUT)
                .handler(ApiRoutes::requireJson);

        r.post("/api/v1/links/batch").handler(scope(Scope.LINKS_WRITE, this::createBatch));
        r.post("/api/v1/links").handler(scope(Scope.LINKS_WRITE, this::create));
        r.get("/api/v1/links").handler(scope(Scope.LINKS_READ, this::list));
        r.get("/api/v1/links/:slug").handler(scope(Scope.LINKS_READ, ctx ->
                blocking.run(ctx, () -> links.get(ctx.pathParam("slug")), l -> json(ctx, 200, LinkJson.toJson(l, base)))));
        r.patch("/api/v1/links/:slug").handler(scope(Scope.LINKS_WRITE, ctx -> {
            var patch = LinkJson.patch(body(ctx));
            blocking.run(ctx, () -> links.update(ctx.pathParam("slug"), patch), l -> json(ctx, 200, LinkJson.toJson(l, base)));
        }));
        r.delete("/api/v1/links/:slug").handler(scope(Scope.LINKS_WRITE, ctx ->
                blocking.run(ctx, () -> {
                    links.delete(ctx.pathParam("slug"));
                    return true;
                }, ok -> ctx.response().setStatusCode(204).end())));

        stats.mount(r);
        live.mountSse(r);
        modules.forEach(m -> m.accept(r));

        r.route().failureHandler(this::failure);
        r.errorHandler(404, ctx -> Problems.send(ctx.response(), ApiProblems.notFound(ctx.request().path()), ctx.request().path()));
        r.errorHandler(405, ctx -> {
            String path = ctx.request().path();
            // The filters on /api/v1/* match any path below it: only real endpoints answer 405.
            Problems.send(ctx.response(), ENDPOINTS.matcher(path).matches()
                    ? ApiProblems.methodNotAllowed(ctx.request().method().name(), path)
                    : ApiProblems.notFound(path), path);
        });
        return r;
    }

    private void create(RoutingContext ctx) {
        LinkDraft draft = LinkJson.draft(body(ctx));
        blocking.run(ctx, () -> links.create(draft), l -> {
            ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/links/" + l.slug());
            json(ctx, 201, LinkJson.toJson(l, base));
        });
    }

    private void createBatch(RoutingContext ctx) {
        JsonObject body = body(ctx);
        Object items = body.getValue("links");
        if (!(items instanceof JsonArray array) || array.isEmpty() || array.size() > LinkService.MAX_BATCH) {
            throw new dev.kurz.link.InvalidLinkException(List.of(new ProblemException.FieldError("links",
                    "must be an array of 1 to " + LinkService.MAX_BATCH + " links")));
        }
        // Decode every item first: a malformed item becomes that item's problem, not the batch's.
        List<Object> decoded = new ArrayList<>(array.size());
        for (Object item : array) {
            try {
                if (!(item instanceof JsonObject o)) {
                    throw dev.kurz.link.InvalidLinkException.of("links[]", "each item must be a JSON object");
                }
                decoded.add(LinkJson.draft(o));
            } catch (ProblemException e) {
                decoded.add(e);
            }
        }
        throttle.items(ctx, array.size(), () -> createAll(ctx, decoded));
    }

    private void createAll(RoutingContext ctx, List<Object> decoded) {
        blocking.run(ctx, () -> {
            List<LinkDraft> drafts = decoded.stream().filter(LinkDraft.class::isInstance).map(LinkDraft.class::cast).toList();
            var created = links.createAll(drafts).iterator();
            JsonArray results = new JsonArray();
            for (Object d : decoded) {
                ProblemException problem = d instanceof ProblemException p ? p : null;
                if (problem == null) {
                    var r = created.next();
                    problem = r.problem();
                    if (problem == null) {
                        results.add(new JsonObject().put("status", 201).put("link", LinkJson.toJson(r.link(), base)));
                        continue;
                    }
                }
                results.add(new JsonObject().put("status", problem.status()).put("problem", Problems.toJson(problem)));
            }
            return new JsonObject().put("results", results);
        }, out -> json(ctx, 200, out));
    }

    /** A whole-number query parameter within [min, max], or 400 naming it. */
    static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
        String raw = ctx.request().getParam(name);
        if (raw == null) return fallback;
        int v;
        try {
            v = Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            v = min - 1;
        }
        if (v < min || v > max) throw ApiProblems.badRequest(name + ": must be a whole number from " + min + " to " + max);
        return v;
    }

    private void list(RoutingContext ctx) {
        int pageSize = intParam(ctx, "limit", LinkService.DEFAULT_PAGE, 1, LinkService.MAX_PAGE);
        String cursor = ctx.request().getParam("cursor");
        String tag = ctx.request().getParam("tag");
        String q = ctx.request().getParam("q");
        blocking.run(ctx, () -> links.list(pageSize, cursor, tag, q), page -> {
            JsonArray items = new JsonArray();
            for (Link l : page.items()) items.add(LinkJson.toJson(l, base));
            json(ctx, 200, new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
        });
    }

    private void ready(RoutingContext ctx) {
        var context = ctx.vertx().getOrCreateContext();
        health.ready().whenComplete((report, err) -> context.runOnContext(v -> {
            JsonObject checks = new JsonObject();
            boolean up = err == null && report.up();
            if (report != null) {
                for (Health.Check c : report.checks()) {
                    JsonObject o = new JsonObject().put("status", c.up() ? "UP" : "DOWN").put("latencyMs", c.latencyMs());
                    if (c.error() != null) o.put("error", c.error());
                    checks.put(c.name(), o);
                }
            }
            json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
        }));
    }

    // ---- filters ----

    private void authenticate(RoutingContext ctx) {
        if (throttle.refusedBeforeKeyCheck(ctx)) return;
        String key = ctx.request().getHeader("X-Api-Key");
        if (key == null) {
            String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) key = auth.substring(7).strip();
        }
        CompletableFuture<Optional<Principal>> f = keys.authenticate(key == null ? null : key.strip());
        if (f.isDone() && !f.isCompletedExceptionally()) {
            admit(ctx, f.join());
            return;
        }
        var context = ctx.vertx().getOrCreateContext();
        f.whenComplete((p, err) -> context.runOnContext(v -> {
            if (err != null) ctx.fail(err);
            else admit(ctx, p);
        }));
    }

    private void admit(RoutingContext ctx, Optional<Principal> principal) {
        if (principal.isEmpty()) {
            throttle.authFailed(ctx, () -> ctx.fail(ApiProblems.unauthorized()));
            return;
        }
        ctx.put(PRINCIPAL, principal.get());
        ctx.next();
    }

    static Handler<RoutingContext> scope(Scope scope, Handler<RoutingContext> handler) {
        return ctx -> {
            Principal p = ctx.get(PRINCIPAL);
            if (p == null || !p.can(scope)) throw ApiProblems.forbidden(scope.label());
            handler.handle(ctx);
        };
    }

    private static void requireJson(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String t = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
        int semi = t.indexOf(';');
        String mime = (semi < 0 ? t : t.substring(0, semi)).strip();
        if (!mime.equals("application/json") && !mime.endsWith("+json")) {
            ctx.fail(ApiProblems.unsupportedMediaType());
            return;
        }
        ctx.next();
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response().headers()
                .add("X-Content-Type-Options", "nosniff")
                .add("X-Frame-Options", "DENY")
                .add("Referrer-Policy", "no-referrer")
                .add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
                .add(HttpHeaders.CACHE_CONTROL, "no-store");
        ctx.next();
    }

    // ---- helpers ----

    static JsonObject body(RoutingContext ctx) {
        Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        if (raw == null || raw.length() == 0) throw ApiProblems.malformedJson("the body is empty");
        try {
            Object v = io.vertx.core.json.Json.decodeValue(raw);
            if (v instanceof JsonObject o) return o;
            throw ApiProblems.malformedJson("expected a JSON object");
        } catch (DecodeException e) {
            throw ApiProblems.malformedJson(firstLine(e.getMessage()));
        }
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
    }

    private void failure(RoutingContext ctx) {
        Throwable err = ctx.failure();
        while (err instanceof java.util.concurrent.CompletionException && err.getCause() != null) err = err.getCause();
        String path = ctx.request().path();
        ProblemException p;
        if (err instanceof ProblemException pe) {
            p = pe;
        } else if (err instanceof DecodeException de) {
            p = ApiProblems.malformedJson(firstLine(de.getMessage()));
        } else if (err == null) {
            p = switch (ctx.statusCode()) {
                case 413 -> ApiProblems.payloadTooLarge(BODY_LIMIT);
                case 404 -> ApiProblems.notFound(path);
                case 405 -> ApiProblems.methodNotAllowed(ctx.request().method().name(), path);
                case 401 -> ApiProblems.unauthorized();
                case 400 -> ApiProblems.badRequest("The request could not be read");
                default -> internal(ctx, null);
            };
        } else if (isUnavailable(err)) {
            log.warn("{} {}: database unavailable: {}", ctx.request().method(), path, err.getMessage());
            p = ApiProblems.unavailable("The database");
        } else {
            p = internal(ctx, err);
        }
        Problems.send(ctx.response(), p, path);
    }

    private static ProblemException internal(RoutingContext ctx, Throwable err) {
        String id = RequestInfo.requestId(ctx);
        log.error("{} {} failed (request id {})", ctx.request().method(), ctx.request().path(), id, err);
        return ApiProblems.internal(id);
    }

    private static boolean isUnavailable(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) return true;
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static Buffer resource(String path) {
        try (InputStream in = ApiRoutes.class.getResourceAsStream(path)) {
            if (in == null) return Buffer.buffer("openapi: 3.1.0\n");
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything but the redirect: the JSON API, health, the OpenAPI document. */
final class ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    static final long BODY_LIMIT = 1024 * 1024;
    /** How much of a refused request's body is read and thrown away before its connection closes. */
    static final long DRAIN_LIMIT = 16 * 1024 * 1024;
    private static final String PRINCIPAL = Edge.PRINCIPAL;
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final String HSTS = "max-age=31536000; includeSubDomains";

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
    private final boolean hsts;
    private final Cors cors;
    private Endpoints endpoints;
    private final List<java.util.function.Consumer<Router>> publicModules;
    private final dev.kurz.audit.AuditLog audit;
    private final Throttle throttle;
    private final IdempotentRequests idempotent;
    private Handler<RoutingContext> observer;
    private final Edge edge;
    private java.util.function.Function<java.util.Collection<Long>, java.util.Map<Long, JsonObject>> linkHealth;

    /**
     * @param modules       more routes (alerts, QR codes, the web UI), mounted after authentication
     * @param publicModules routes under /api/v1 that need no key (abuse reports), mounted before authentication
     * @param audit         where link changes are recorded before the answer
     */
    ApiRoutes(LinkService links, ApiKeys keys, Health health, Blocking blocking, String base, StatsRoutes stats, LiveRoutes live,
              List<java.util.function.Consumer<Router>> modules, dev.kurz.analytics.TrustedProxies proxies, Cors cors,
              List<java.util.function.Consumer<Router>> publicModules, dev.kurz.audit.AuditLog audit, Throttle throttle,
              IdempotentRequests idempotent) {
        this.idempotent = idempotent;
        this.publicModules = publicModules;
        this.audit = audit;
        this.throttle = throttle;
        this.proxies = proxies;
        this.cors = cors;
        this.hsts = base.startsWith("https://");
        this.stats = stats;
        this.live = live;
        this.modules = modules;
        this.links = links;
        this.keys = keys;
        this.health = health;
        this.blocking = blocking;
        this.base = base;
        this.openApi = resource("/api/openapi.yaml");
        this.edge = new Edge(keys, blocking, throttle, base, List.of());
    }

    /** A handler to run on every request right after the request id is known (metrics, traces, log context). */
    ApiRoutes observe(Handler<RoutingContext> observer) {
        this.observer = observer;
        return this;
    }

    /** Where links' health comes from ({@code health} in link answers, {@code ?health=} on the list). */
    ApiRoutes linkHealth(java.util.function.Function<java.util.Collection<Long>, java.util.Map<Long, JsonObject>> linkHealth) {
        this.linkHealth = linkHealth;
        return this;
    }

    /** Links as answers, with their health when it is known. Blocking. */
    private List<JsonObject> rendered(List<Link> page) {
        java.util.Map<Long, JsonObject> h = linkHealth == null || page.isEmpty() ? java.util.Map.of()
                : linkHealth.apply(page.stream().map(Link::id).toList());
        List<JsonObject> out = new ArrayList<>(page.size());
        for (Link l : page) {
            JsonObject j = LinkJson.toJson(l, base);
            if (linkHealth != null) j.put("health", h.getOrDefault(l.id(), UNKNOWN_HEALTH));
            out.add(j);
        }
        return out;
    }

    private static final JsonObject UNKNOWN_HEALTH = new JsonObject().put("status", "unknown").putNull("httpStatus").putNull("error")
            .putNull("checkedAt");

    Router router(Vertx vertx) {
        Router r = Router.router(vertx);
        this.endpoints = new Endpoints(r);
        r.route().handler(RequestInfo.filter(proxies));
        if (observer != null) r.route().handler(observer);
        r.route().handler(this::securityHeaders);
        r.route().handler(ApiRoutes::requireReadableQuery);
        r.route("/api/*").handler(cors::handle);

        r.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        r.get("/health/ready").handler(this::ready);
        r.get("/health/startup").handler(ctx -> json(ctx, health.isStarted() ? 200 : 503,
                new JsonObject().put("status", health.isStarted() ? "UP" : "STARTING")));
        r.get("/api/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(openApi));
        publicModules.forEach(m -> m.accept(r)); // no key needed; each reads its own (small) body

        live.mountWebSocket(r); // authenticates by its first message, not by header
        // Nothing of a body is read before the caller is known and the body is JSON: an anonymous
        // request costs no parsing, and a form or multipart body never reaches a decoder.
        r.route("/api/v1/*").handler(this::authenticate);
        r.get("/metrics").handler(this::authenticate); // the route itself (a module) checks the scope
        r.route("/api/v1/*").handler(ctx -> throttle.api(ctx, ctx.get(PRINCIPAL)));
        r.route("/api/v1/*").method(HttpMethod.POST).method(HttpMethod.PATCH).method(HttpMethod.PUT)
                .handler(ApiRoutes::requireJson);
        Handler<RoutingContext> bodies = BodyHandler.create(false).setBodyLimit(BODY_LIMIT).setHandleFileUploads(false);
        r.route("/api/v1/*").method(HttpMethod.POST).method(HttpMethod.PATCH).method(HttpMethod.PUT)
                .handler(ctx -> {
                    if (ImportRoutes.ownsBody(ctx)) ctx.next(); // a file of its own size limit, streamed to disk
                    else bodies.handle(ctx);
                });

        r.post("/api/v1/links/batch").handler(scope(Scope.LINKS_WRITE, idempotent.wrap(this::createBatch)))
                .failureHandler(idempotent::releaseOnFailure);
        r.post("/api/v1/links").handler(scope(Scope.LINKS_WRITE, idempotent.wrap(this::create)))
                .failureHandler(idempotent::releaseOnFailure);
        r.get("/api/v1/links").handler(scope(Scope.LINKS_READ, this::list));
        r.get("/api/v1/links/:slug").handler(scope(Scope.LINKS_READ, ctx -> {
            if (ctx.pathParam("slug").equals("export")) {
                ctx.next(); // GET /api/v1/links/export (ImportRoutes)
                return;
            }
            Long visibleTo = Callers.linksVisibleTo(ctx);
            String slug = ctx.pathParam("slug"), domain = ctx.queryParams().get("domain");
            blocking.run(ctx, () -> rendered(List.of(links.get(links.key(domain, slug), visibleTo))).get(0), l -> json(ctx, 200, l));
        }));
        r.patch("/api/v1/links/:slug").handler(scope(Scope.LINKS_WRITE, ctx -> {
            var patch = LinkJson.patch(body(ctx));
            var who = Callers.actor(ctx);
            Long visibleTo = Callers.linksVisibleTo(ctx);
            String slug = ctx.pathParam("slug"), domain = ctx.queryParams().get("domain");
            blocking.run(ctx, () -> {
                var change = links.change(links.key(domain, slug), patch, visibleTo);
                audit.linkUpdated(who, change);
                return change.after();
            }, l -> json(ctx, 200, LinkJson.toJson(l, base)));
        }));
        r.delete("/api/v1/links/:slug").handler(scope(Scope.LINKS_WRITE, ctx -> {
            var who = Callers.actor(ctx);
            Long visibleTo = Callers.linksVisibleTo(ctx);
            String slug = ctx.pathParam("slug"), domain = ctx.queryParams().get("domain");
            blocking.run(ctx, () -> {
                audit.linkDeleted(who, links.remove(links.key(domain, slug), visibleTo));
                return true;
            }, ok -> ctx.response().setStatusCode(204).end());
        }));

        stats.mount(r);
        live.mountSse(r);
        modules.forEach(m -> m.accept(r));

        r.route().failureHandler(this::failure);
        // Filters for PUT and friends match every path below /api/v1, so vert.x may say 404 where the path exists.
        r.errorHandler(404, ctx -> send(ctx, notFoundOrNotAllowed(ctx)));
        r.errorHandler(405, ctx -> send(ctx, notFoundOrNotAllowed(ctx)));
        return r;
    }

    private void create(RoutingContext ctx) {
        LinkDraft draft = LinkJson.draft(body(ctx));
        var who = Callers.actor(ctx);
        Long by = Callers.keyId(ctx);
        var claim = IdempotentRequests.claim(ctx);
        if (claim != null) {
            // The link and the answer a retry gets are one transaction; the answer is sent as stored.
            blocking.run(ctx, () -> {
                var made = links.createAllAtomically(List.of(draft), by, rs -> rs.get(0).link() == null ? null
                        : claim.receipt(201, LinkJson.toJson(rs.get(0).link(), base).encode(), location(rs.get(0).link())));
                var r = made.get(0);
                if (r.problem() != null) throw r.problem();
                audit.linkCreated(who, r.link());
                return r.link();
            }, l -> {
                IdempotentRequests.stored(ctx);
                ctx.response().putHeader(HttpHeaders.LOCATION, location(l));
                json(ctx, 201, LinkJson.toJson(l, base));
            });
            return;
        }
        blocking.run(ctx, () -> {
            Link created = links.create(draft, by);
            audit.linkCreated(who, created);
            return created;
        }, l -> {
            ctx.response().putHeader(HttpHeaders.LOCATION, location(l));
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
        var who = Callers.actor(ctx);
        Long by = Callers.keyId(ctx);
        var claim = IdempotentRequests.claim(ctx);
        blocking.run(ctx, () -> {
            List<LinkDraft> drafts = decoded.stream().filter(LinkDraft.class::isInstance).map(LinkDraft.class::cast).toList();
            // With an Idempotency-Key the whole batch and its answer are one transaction (see docs/OPERATIONS.md).
            var outcomes = claim == null ? links.createAll(drafts, by)
                    : links.createAllAtomically(drafts, by, rs -> claim.receipt(200, batchAnswer(decoded, rs).encode(), null));
            audit.linksCreated(who, outcomes.stream().filter(o -> o.link() != null).map(LinkService.BatchResult::link).toList());
            return batchAnswer(decoded, outcomes);
        }, out -> {
            if (claim != null) IdempotentRequests.stored(ctx);
            json(ctx, 200, out);
        });
    }

    /** Each item's outcome in request order: decoding problems, then what the service did with the rest. */
    private JsonObject batchAnswer(List<Object> decoded, List<LinkService.BatchResult> outcomes) {
        var created = outcomes.iterator();
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
        Long visibleTo = Callers.linksVisibleTo(ctx);
        String domain = ctx.request().getParam("domain");
        String healthIs = ctx.request().getParam("health");
        if (healthIs != null && !List.of("ok", "broken", "unknown").contains(healthIs)) {
            throw ApiProblems.badRequest("health: must be ok, broken or unknown");
        }
        blocking.run(ctx, () -> {
            var page = links.list(pageSize, cursor, tag, q, visibleTo, domain, healthIs);
            return new JsonObject().put("items", new JsonArray(new ArrayList<Object>(rendered(page.items()))))
                    .put("nextCursor", page.nextCursor());
        }, out -> json(ctx, 200, out));
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
            String status = !up ? "DOWN" : report.degraded() ? "DEGRADED" : "UP";
            json(ctx, up ? 200 : 503, new JsonObject().put("status", status).put("checks", checks));
        }));
    }

    // ---- filters ----

    private void authenticate(RoutingContext ctx) {
        String key = ctx.request().getHeader("X-Api-Key");
        if (key == null) {
            String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) key = auth.substring(7).strip();
        }
        edge.authenticate(ctx, key, () -> ctx.fail(ApiProblems.unauthorized()));
    }

    /** The authenticated caller (after the authentication filter), or null. */
    static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    static Handler<RoutingContext> scope(Scope scope, Handler<RoutingContext> handler) {
        return ctx -> {
            Principal p = ctx.get(PRINCIPAL);
            if (p == null || !p.can(scope)) throw ApiProblems.forbidden(scope.label());
            handler.handle(ctx);
        };
    }

    private static void requireJson(RoutingContext ctx) {
        if (!hasBody(ctx.request()) || ImportRoutes.ownsBody(ctx)) {
            ctx.next();
            return;
        }
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

    /** A request that announces a body: a non-zero Content-Length, or chunks. */
    static boolean hasBody(io.vertx.core.http.HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) return !length.strip().equals("0");
        return req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    private void securityHeaders(RoutingContext ctx) {
        var h = ctx.response().headers()
                .add("X-Content-Type-Options", "nosniff")
                .add("X-Frame-Options", "DENY")
                .add("Referrer-Policy", "no-referrer")
                .add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
                .add(HttpHeaders.CACHE_CONTROL, "no-store");
        if (hsts) h.add("Strict-Transport-Security", HSTS);
        ctx.next();
    }

    /** A path or query that cannot be decoded (a lone '%', bad UTF-8) is the client's error, whatever the endpoint. */
    private static void requireReadableQuery(RoutingContext ctx) {
        if (ctx.request().path() != null && ctx.request().path().indexOf('%') >= 0) {
            try {
                ctx.normalizedPath();
            } catch (RuntimeException e) {
                ctx.fail(ApiProblems.badRequest("The path is not valid: every '%' must start an escape such as %20 of UTF-8 bytes"));
                return;
            }
        }
        if (ctx.request().query() != null) {
            try {
                ctx.queryParams();
            } catch (RuntimeException e) {
                ctx.fail(ApiProblems.badRequest("The query string is not valid: every '%' must start an escape such as %20 of UTF-8 bytes"));
                return;
            }
        }
        ctx.next();
    }

    // ---- helpers ----

    static JsonObject body(RoutingContext ctx) {
        return StrictJson.object(ctx.body() == null ? null : ctx.body().buffer());
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
    }

    private void failure(RoutingContext ctx) {
        ProblemException p = ctx.failure() == null && (ctx.statusCode() == 404 || ctx.statusCode() == 405)
                ? notFoundOrNotAllowed(ctx) : problemOf(ctx, BODY_LIMIT);
        if (p != null) send(ctx, p);
    }

    /** The problem a failed request answers with; null when the client went away (nothing to answer). */
    static ProblemException problemOf(RoutingContext ctx, long bodyLimit) {
        Throwable err = Edge.failure(ctx);
        String path = ctx.request().path();
        if (err instanceof ProblemException pe) return pe;
        if (err == null) {
            return switch (ctx.statusCode()) {
                case 413 -> ApiProblems.payloadTooLarge(bodyLimit);
                case 404 -> ApiProblems.notFound(path);
                case 405 -> ApiProblems.methodNotAllowed(ctx.request().method().name(), path);
                case 401 -> ApiProblems.unauthorized();
                case 400 -> ApiProblems.badRequest("The request could not be read");
                default -> internal(ctx, null);
            };
        }
        if (clientGone(err)) {
            // The client hung up mid-answer (a closed tab, a scanner): nothing to answer, nothing to fix.
            log.debug("{} {}: client went away: {}", ctx.request().method(), path, err.toString());
            return null;
        }
        if (Outages.databaseUnavailable(err)) {
            log.warn("{} {}: database unavailable: {}", ctx.request().method(), path, Outages.describe(err));
            return ApiProblems.unavailable("The database");
        }
        return internal(ctx, err);
    }

    /** The filters on /api/v1/* match any path below it: a path answers 405 only when some route serves it. */
    private ProblemException notFoundOrNotAllowed(RoutingContext ctx) {
        String path = ctx.request().path();
        return endpoints.allowed(path).isEmpty()
                ? ApiProblems.notFound(path)
                : ApiProblems.methodNotAllowed(ctx.request().method().name(), path);
    }

    /**
     * Sends the problem. A request refused before its body was read (no key, wrong type, too large)
     * gets {@code Connection: close}, and its body is then drained (see {@link #discardBody}).
     */
    void send(RoutingContext ctx, ProblemException p) {
        var resp = ctx.response();
        if (resp.ended() || resp.headWritten()) return;
        if (p.status() == 401) resp.putHeader("WWW-Authenticate", "Bearer realm=\"kurz\", charset=\"UTF-8\"");
        if (p.status() == 405) resp.putHeader(HttpHeaders.ALLOW, endpoints.allowed(ctx.request().path()));
        sendRefusal(ctx, p);
    }

    /** Sends the problem, through {@link #answer}: any refusal may come before the body was read. */
    static void sendRefusal(RoutingContext ctx, ProblemException p) {
        answer(ctx, resp -> Problems.send(resp, p, ctx.request().path(), p.status() >= 500 ? RequestInfo.requestId(ctx) : null));
    }

    /**
     * Ends the answer with {@code end} (unless one was already sent); an HTTP/1.x request whose body
     * is still unread gets {@code Connection: close}, and its body is drained (see {@link #discardBody}).
     * HTTP/2 (not served by Kurz's own listener, which refuses h2c) has no such header, and ending
     * the answer ends only the stream.
     */
    static void answer(RoutingContext ctx, java.util.function.Function<io.vertx.core.http.HttpServerResponse, io.vertx.core.Future<Void>> end) {
        var resp = ctx.response();
        if (resp.ended() || resp.headWritten()) return;
        var req = ctx.request();
        boolean unread = !req.isEnded() && req.version() != io.vertx.core.http.HttpVersion.HTTP_2;
        if (unread) resp.putHeader(HttpHeaders.CONNECTION, "close");
        var sent = end.apply(resp);
        if (unread) discardBody(req, sent);
    }

    /**
     * After an answer sent before the body was read: the rest of the body, up to {@link #DRAIN_LIMIT},
     * is read and thrown away unparsed, and the connection closed at its end ("lingering close", as
     * nginx does). Closing at once would leave the client writing into a closed socket: the reset
     * that comes back makes its TCP stack drop the answer it had not read yet (java.net.http then
     * reports "header parser received no bytes"). A body announced beyond the bound is cut off at
     * once, one that grows beyond it while draining too; the read deadline bounds a slow one.
     */
    private static void discardBody(io.vertx.core.http.HttpServerRequest req, io.vertx.core.Future<Void> sent) {
        var conn = req.connection();
        if (declaredLength(req) > DRAIN_LIMIT) {
            sent.onComplete(x -> conn.close());
            return;
        }
        long[] drained = {0};
        req.handler(chunk -> {
            long before = drained[0];
            drained[0] += chunk.length();
            if (before <= DRAIN_LIMIT && drained[0] > DRAIN_LIMIT) sent.onComplete(x -> conn.close());
        });
        req.endHandler(x -> sent.onComplete(y -> conn.close()));
        req.resume();
    }

    private static long declaredLength(io.vertx.core.http.HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ProblemException internal(RoutingContext ctx, Throwable err) {
        String id = RequestInfo.requestId(ctx);
        log.error("{} {} failed (request id {})", ctx.request().method(), ctx.request().path(), id, err);
        return ApiProblems.internal(id);
    }

    private static boolean clientGone(Throwable err) {
        return err instanceof io.vertx.core.http.HttpClosedException || err instanceof java.nio.channels.ClosedChannelException
                || err instanceof io.netty.channel.unix.Errors.NativeIoException;
    }

    private static Buffer resource(String path) {
        try (InputStream in = ApiRoutes.class.getResourceAsStream(path)) {
            if (in == null) return Buffer.buffer("openapi: 3.1.0\n");
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a link is read again: its slug, with {@code ?domain=} on a branded domain (the slug alone names the default one's). */
    static String location(Link l) {
        return "/api/v1/links/" + l.slug() + (l.domain() == null ? "" : "?domain=" + l.domain());
    }

}

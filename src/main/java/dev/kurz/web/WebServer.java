package dev.kurz.web;

import dev.kurz.analytics.ClickBuffer;
import dev.kurz.analytics.StatsService;
import dev.kurz.analytics.StatsStore;
import dev.kurz.analytics.TrustedProxies;
import dev.kurz.auth.ApiKeys;
import dev.kurz.alert.Alerts;
import dev.kurz.link.LinkRules;
import java.util.List;
import java.util.function.Consumer;
import dev.kurz.live.LiveHub;
import dev.kurz.link.LinkService;
import dev.kurz.ops.Health;
import dev.kurz.redirect.RedirectCache;
import dev.kurz.redirect.Redirector;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge: one server per event loop on the same port. {@code GET|HEAD /{slug}} goes
 * straight to the {@link RedirectHandler} without the router; everything else goes through the
 * vertx-web {@link Router} of {@link ApiRoutes}.
 */
public final class WebServer {
    private final Vertx vertx;
    private final Handler<HttpServerRequest> dispatcher;
    private String deploymentId;
    private java.time.Duration shutdownGrace = java.time.Duration.ofSeconds(5);
    private int port;
    private final dev.kurz.config.KurzConfig.Http http;
    private final TrustedProxies proxies;
    private volatile boolean closing;

    /** The features the HTTP edge serves. */
    public record Features(LinkService links, ApiKeys keys, Health health, RedirectCache cache, Redirector redirector,
                           ClickBuffer clicks, StatsService stats, StatsStore statsStore, LiveHub hub, Alerts alerts,
                           dev.kurz.ops.Metrics metrics, dev.kurz.abuse.Abuse abuse, dev.kurz.audit.AuditLog audit,
                           dev.kurz.idempotency.Idempotency idempotency, SmartLinks smart,
                           dev.kurz.transfer.ImportJobs imports,
                           dev.kurz.webhook.Webhooks webhooks, dev.kurz.linkcheck.LinkChecks linkChecks) {}

    /**
     * @param proxies the proxies trusted to tell the client's address; redirects record
     *                X-Forwarded-For / Forwarded for the click only when there are any
     */
    public WebServer(Vertx vertx, Features f, InstantSource clock, Executor executor, String baseUrl, TrustedProxies proxies,
                     dev.kurz.config.KurzConfig.Http http, dev.kurz.ratelimit.RateLimits limits) {
        this(vertx, f, clock, executor, baseUrl, proxies, http, limits, Blocking.DEFAULT_DEADLINE, dev.kurz.ops.RedirectTimers.OFF,
                dev.kurz.ops.Telemetry.OFF);
    }

    /**
     * @param dbDeadline     how long a request waits for the database before it answers 503 ({@code KURZ_DB_TIMEOUT})
     * @param redirectTimers the redirect path's latency timers ({@link dev.kurz.ops.RedirectTimers#OFF}: not timed)
     * @param telemetry      spans for routed requests and a sampled share of redirects ({@link dev.kurz.ops.Telemetry#OFF}: none)
     */
    public WebServer(Vertx vertx, Features f, InstantSource clock, Executor executor, String baseUrl, TrustedProxies proxies,
                     dev.kurz.config.KurzConfig.Http http, dev.kurz.ratelimit.RateLimits limits, java.time.Duration dbDeadline,
                     dev.kurz.ops.RedirectTimers redirectTimers, dev.kurz.ops.Telemetry telemetry) {
        this(vertx, f, clock, executor, baseUrl, proxies, http, limits, dbDeadline, redirectTimers, telemetry, List.of(), null);
    }

    /**
     * @param adapters other shorteners' APIs served on the same port ({@code dev.kurz.compat.*})
     * @param orphans  where GETs of unknown slugs are recorded (null: nowhere)
     */
    public WebServer(Vertx vertx, Features f, InstantSource clock, Executor executor, String baseUrl, TrustedProxies proxies,
                     dev.kurz.config.KurzConfig.Http http, dev.kurz.ratelimit.RateLimits limits, java.time.Duration dbDeadline,
                     dev.kurz.ops.RedirectTimers redirectTimers, dev.kurz.ops.Telemetry telemetry, List<Edge.Module> adapters,
                     dev.kurz.analytics.OrphanVisits orphans) {
        this.http = http;
        this.proxies = proxies;
        boolean captureForwarded = !proxies.isEmpty();
        this.vertx = vertx;
        Blocking blocking = new Blocking(executor, dbDeadline);
        StatsRoutes stats = new StatsRoutes(f.links(), f.stats(), f.statsStore(), blocking);
        Throttle throttle = new Throttle(limits, proxies);
        LiveRoutes live = new LiveRoutes(f.hub(), f.keys(), f.links(), executor, throttle);
        AbuseRoutes abuse = new AbuseRoutes(f.abuse(), f.links(), blocking, baseUrl, throttle.reports(), f.audit());
        Edge edge = new Edge(f.keys(), blocking, throttle, baseUrl, http.corsOrigins());
        List<Consumer<Router>> modules = new java.util.ArrayList<>(List.of(
                abuse::mount,
                new AlertRoutes(f.alerts(), blocking, f.audit())::mount,
                new QrRoutes(f.links(), blocking, baseUrl)::mount,
                new UiRoutes()::mount,
                new KeyRoutes(f.keys(), f.audit(), blocking)::mount,
                new AuditRoutes(f.audit(), blocking)::mount,
                new ImportRoutes(f.imports(), f.links(), blocking, executor, baseUrl)::mount,
                new WebhookRoutes(f.webhooks(), blocking, f.audit())::mount,
                // On the main port only for a key with scope metrics (or admin); the management port serves it to anyone who reaches it.
                r -> r.get("/metrics").handler(ApiRoutes.scope(dev.kurz.auth.Scope.METRICS, ctx -> ctx.response()
                        .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, dev.kurz.ops.Metrics.CONTENT_TYPE)
                        .end(f.metrics().render())))));
        adapters.forEach(a -> modules.add(r -> a.mount(r, edge)));
        Tracing tracing = telemetry.tracing() ? new Tracing(telemetry) : null;
        RedirectHandler redirects = new RedirectHandler(f.cache(), f.redirector(), f.clicks(), clock, captureForwarded, throttle, dbDeadline)
                .observe(new RedirectObserver(redirectTimers, tracing, telemetry.redirectRatio()))
                .smart(f.smart(), proxies, baseUrl).orphans(orphans);
        modules.add(new DomainRoutes(f.smart().domains(), blocking, baseUrl, f.audit())::mount);
        modules.add(r -> SmartRoutes.mountUnlock(r, redirects, f.smart().domains(), blocking));
        HttpObserver observer = new HttpObserver(f.metrics().registry(), tracing);
        Router router = new ApiRoutes(f.links(), f.keys(), f.health(), blocking, baseUrl, stats, live, modules, proxies,
                new Cors(http.corsOrigins()), List.of(abuse::mountPublic), f.audit(), throttle,
                new IdempotentRequests(f.idempotency(), executor)).observe(observer)
                .linkHealth(ids -> {
                    java.util.Map<Long, io.vertx.core.json.JsonObject> out = new java.util.HashMap<>();
                    f.linkChecks().healthOf(ids).forEach((id, h) -> out.put(id, h.toJson()));
                    return out;
                }).router(vertx);
        observer.routes(router);
        dev.kurz.link.DomainService domains = f.smart().domains();
        this.dispatcher = req -> {
            String slug = slugOf(req);
            // Plain installations (no domain but the default) never look at the Host.
            if (slug != null && domains.none()) redirects.handle(req, slug);
            else if (slug != null || SmartRoutes.root(req) && domains.lookup(SmartRoutes.host(req)) != null) SmartRoutes.dispatch(req, slug, domains, redirects, router);
            else if (!decodablePath(req.path())) Problems.send(req.response(), ApiProblems.badRequest(
                    "The path is not valid: every '%' must start an escape such as %20"), null);
            else router.handle(req);
        };
    }

    /**
     * A request the decoder refused (ambiguous framing, a line or headers too long): Vert.x's own
     * answer, with the reason in a line of text and the headers every answer carries, then close.
     */
    static void invalid(HttpServerRequest req) {
        Throwable cause = req.decoderResult().cause();
        int status = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414
                : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431 : 400;
        String why = cause instanceof StrictRequestDecoder.BadFraming ? cause.getMessage() : "the request could not be read";
        req.response().setStatusCode(status)
                .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, "close")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end("Bad request: " + why + "\n");
        // At once, as Vert.x's own handler does: nothing pipelined behind it may be answered.
        req.connection().close();
    }

    /** Every '%' starts a two-digit hex escape (the router would otherwise fail deep inside its path matching). */
    static boolean decodablePath(String path) {
        if (path == null) return false;
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) return false;
        }
        return true;
    }

    /** The slug when the request is a redirect ({@code GET|HEAD /x} with x not one of Kurz's own paths), else null. */
    static String slugOf(HttpServerRequest req) {
        HttpMethod m = req.method();
        if (m != HttpMethod.GET && m != HttpMethod.HEAD) return null;
        String path = req.path();
        if (path == null || path.length() < 2 || path.length() > 1 + LinkRules.MAX_SLUG_LENGTH || path.indexOf('/', 1) >= 0) {
            return null;
        }
        String slug = path.substring(1);
        return LinkRules.isReserved(slug) ? null : slug;
    }

    /** Binds {@code host:port} (0 picks a free port, shared by all instances) on {@code instances} event loops. */
    public Future<Integer> start(String host, int requestedPort, int instances) {
        return deploy(host, requestedPort, instances).map(id -> {
            deploymentId = id;
            return port;
        });
    }

    private Future<String> deploy(String host, int p, int instances) {
        return vertx.deployVerticle(() -> new VerticleBase() {
            private HttpServer server;

            @Override
            public Future<?> start() {
                HttpServerOptions options = new HttpServerOptions()
                        .setHost(host)
                        .setPort(p)
                        .setTcpNoDelay(true)
                        // Every request and response is touched on its event loop only (blocking work
                        // hops back through the context), so Vert.x may skip its cross-thread guards.
                        .setStrictThreadMode(true)
                        .setCompressionSupported(false)
                        // No cleartext HTTP/2 upgrades: browsers speak h2 only over TLS (terminated by a proxy),
                        // and an h2c upgrade through a proxy is a known way around its rules (h2c smuggling).
                        // It also lets each connection's pipeline be set up before its first byte.
                        .setHttp2ClearTextEnabled(false)
                        .setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS);
                ConnectionGuard guard = new ConnectionGuard(options, http.readTimeout(), http.maxConnectionsPerIp(), proxies, () -> closing);
                server = vertx.createHttpServer(options);
                return server.connectionHandler(guard::install).invalidRequestHandler(WebServer::invalid).requestHandler(dispatcher)
                        .listen().onSuccess(s -> port = s.actualPort());
            }

            @Override
            public Future<?> stop() {
                // Finish requests in flight, refuse new ones.
                return server.shutdown(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
            }
        }, new DeploymentOptions().setInstances(instances));
    }

    public int port() {
        return port;
    }

    /**
     * From now on every answer says {@code Connection: close} and its connection is closed after
     * it, so keep-alive clients move on while this node still serves (the shutdown drain).
     */
    public void closeConnectionsAfterEachAnswer() {
        closing = true;
    }

    /** Stops accepting connections and lets requests in flight finish, for at most {@code grace}. */
    public Future<Void> stop(java.time.Duration grace) {
        this.shutdownGrace = grace;
        return stop();
    }

    /** Stops accepting connections and lets requests in flight finish. */
    public Future<Void> stop() {
        return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    }
}

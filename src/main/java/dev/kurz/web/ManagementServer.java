package dev.kurz.web;

import dev.kurz.ops.Health;
import dev.kurz.ops.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The management port ({@code KURZ_MANAGEMENT_PORT}): {@code /metrics} and {@code /health/*} with no
 * key, for Prometheus and probes on a network the public does not reach. One event loop is plenty.
 */
public final class ManagementServer {
    private final Vertx vertx;
    private final Metrics metrics;
    private final Health health;
    private HttpServer server;

    public ManagementServer(Vertx vertx, Metrics metrics, Health health) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.health = health;
    }

    /** Binds {@code host:port}; the future holds the port bound. */
    public Future<Integer> start(String host, int port) {
        Router r = Router.router(vertx);
        r.get("/metrics").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, Metrics.CONTENT_TYPE).end(metrics.render()));
        r.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        r.get("/health/ready").handler(this::ready);
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setIdleTimeout(60));
        return server.requestHandler(r).listen().map(HttpServer::actualPort);
    }

    private void ready(RoutingContext ctx) {
        var context = ctx.vertx().getOrCreateContext();
        health.ready().whenComplete((report, err) -> context.runOnContext(v -> {
            boolean up = err == null && report.up();
            JsonObject checks = new JsonObject();
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

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.encode());
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}

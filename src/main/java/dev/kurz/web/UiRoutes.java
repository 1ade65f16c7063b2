package dev.kurz.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The web UI at {@code /app/}: static files from {@code webroot/app} on the classpath, and uPlot
 * from its WebJar, so the UI makes no request to anyone but Kurz.
 */
final class UiRoutes {
    static final String CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final String VENDOR_CACHE = "public, max-age=86400";
    // The app's own files keep their names across releases: revalidate (Last-Modified → 304) on each use.
    private static final String APP_CACHE = "no-cache";

    private final Buffer uplotJs = resource(UPLOT + "uPlot.iife.min.js");
    private final Buffer uplotCss = resource(UPLOT + "uPlot.min.css");

    /** Mount before the router's 404 handling; the API's security headers must already be set. */
    void mount(Router r) {
        // The route for "/app" also matches "/app/": only the bare path is redirected (relative URLs need the slash).
        r.get("/app").handler(ctx -> {
            if (!ctx.request().path().equals("/app")) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, "/app/").end();
        });
        r.route("/app/*").handler(UiRoutes::headers);
        vendor(r, "/app/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8", uplotJs, "\"uplot-1.6.30-js\"");
        vendor(r, "/app/vendor/uplot/uPlot.min.css", "text/css; charset=utf-8", uplotCss, "\"uplot-1.6.30-css\"");
        r.route("/app/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(StaticHandler.create("webroot/app")
                .setCachingEnabled(true)
                .setIndexPage("index.html")
                .setDirectoryListing(false)
                .setIncludeHidden(false));
    }

    /** Replaces the API's headers: the UI runs its own scripts and styles and talks to the API. */
    private static void headers(RoutingContext ctx) {
        ctx.response().headers()
                .set("Content-Security-Policy", CSP)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set(HttpHeaders.CACHE_CONTROL, APP_CACHE);
        ctx.next();
    }

    private static void vendor(Router r, String path, String type, Buffer body, String etag) {
        Handler<RoutingContext> h = ctx -> {
            var resp = ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type)
                    .putHeader(HttpHeaders.CACHE_CONTROL, VENDOR_CACHE)
                    .putHeader(HttpHeaders.ETAG, etag);
            if (etag.equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
                resp.setStatusCode(304).end();
            } else {
                resp.end(body);
            }
        };
        r.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(h);
    }

    private static Buffer resource(String path) {
        try (InputStream in = UiRoutes.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing on the classpath: " + path + " (the org.webjars.npm:uplot dependency)");
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.kurz.web;

import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkService;
import dev.kurz.link.QrCodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** A link's short URL as a QR code: {@code GET /api/v1/links/{slug}/qr}. */
final class QrRoutes {
    private final LinkService links;
    private final Blocking blocking;
    private final String base;

    QrRoutes(LinkService links, Blocking blocking, String base) {
        this.links = links;
        this.blocking = blocking;
        this.base = base;
    }

    void mount(Router r) {
        r.get("/api/v1/links/:slug/qr").handler(ApiRoutes.scope(Scope.LINKS_READ, this::qr));
    }

    private record Image(String slug, Buffer bytes) {}

    private void qr(RoutingContext ctx) {
        boolean png = format(ctx.request().getParam("format"));
        int size = ApiRoutes.intParam(ctx, "size", QrCodes.DEFAULT_SIZE, QrCodes.MIN_SIZE, QrCodes.MAX_SIZE);
        int margin = ApiRoutes.intParam(ctx, "margin", QrCodes.DEFAULT_MARGIN, QrCodes.MIN_MARGIN, QrCodes.MAX_MARGIN);
        char ecc = ecc(ctx.request().getParam("ecc"));
        boolean download = download(ctx.request().getParam("download"));
        String slug = ctx.pathParam("slug"), domain = ctx.request().getParam("domain");
        Long visibleTo = Callers.linksVisibleTo(ctx);
        // Rendering a 2048 px PNG takes milliseconds: off the event loop with the lookup.
        blocking.run(ctx, () -> {
            Link l = links.get(links.key(domain, slug), visibleTo);
            String text = LinkJson.shortUrl(l, base);
            try {
                return new Image(l.slug(), png
                        ? Buffer.buffer(QrCodes.png(text, size, margin, ecc))
                        : Buffer.buffer(QrCodes.svg(text, size, margin, ecc)));
            } catch (IllegalArgumentException e) {
                // Parameters are valid by now; what is left is a code too large for the size asked.
                throw ApiProblems.badRequest(e.getMessage());
            }
        }, image -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, png ? "image/png" : "image/svg+xml; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=300")
                .putHeader("Content-Disposition", (download ? "attachment" : "inline")
                        + "; filename=\"" + image.slug() + (png ? ".png" : ".svg") + "\"")
                .end(image.bytes()));
    }

    /** True for PNG, false for SVG (the default). */
    private static boolean format(String raw) {
        if (raw == null) return false;
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "svg" -> false;
            case "png" -> true;
            default -> throw ApiProblems.badRequest("format: must be svg or png");
        };
    }

    private static char ecc(String raw) {
        if (raw == null) return QrCodes.DEFAULT_ECC;
        String v = raw.strip().toUpperCase(Locale.ROOT);
        if (v.length() != 1 || !QrCodes.isEcc(v.charAt(0))) {
            throw ApiProblems.badRequest("ecc: must be one of L, M, Q, H (error correction: 7%, 15%, 25%, 30%)");
        }
        return v.charAt(0);
    }

    private static boolean download(String raw) {
        if (raw == null) return false;
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw ApiProblems.badRequest("download: must be 1 or 0 (or true or false)");
        };
    }
}

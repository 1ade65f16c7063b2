package dev.kurz.web;

import dev.kurz.link.Domain;
import dev.kurz.link.DomainService;
import dev.kurz.link.LinkKeys;
import dev.kurz.link.LinkRules;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;

/**
 * Requests on branded domains: which link a {@code Host} and slug name, {@code GET /} on a domain
 * with a root redirect, and {@code POST /{slug}} with a link's password (a small form body, read
 * through the router's body limit like every other body).
 */
final class SmartRoutes {
    /** The password form's body: one field of at most {@link dev.kurz.link.Passwords#MAX_LENGTH} characters, encoded. */
    static final int FORM_LIMIT = 4096;

    private SmartRoutes() {}

    /** The request's host, lower case, without the port; null when it has none. */
    static String host(HttpServerRequest req) {
        var a = req.authority();
        return a == null ? null : a.host().toLowerCase(Locale.ROOT);
    }

    /** {@code GET|HEAD /}. */
    static boolean root(HttpServerRequest req) {
        return (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) && "/".equals(req.path());
    }

    /** A redirect (slug not null) or a root request once there are domains besides the default. */
    static void dispatch(HttpServerRequest req, String slug, DomainService domains, RedirectHandler redirects, Router router) {
        String host = host(req);
        Domain d = domains.lookup(host);
        if (slug != null) {
            redirects.handle(req, d == null ? slug : LinkKeys.of(host, slug), d);
        } else if (d.rootRedirect() != null) {
            req.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, d.rootRedirect())
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end();
        } else {
            router.handle(req);
        }
    }

    static void mountUnlock(Router r, RedirectHandler redirects, DomainService domains, Blocking blocking) {
        r.postWithRegex("/([A-Za-z0-9_-]{1,64})")
                .handler(BodyHandler.create(false).setBodyLimit(FORM_LIMIT).setHandleFileUploads(false))
                .handler(ctx -> {
                    String slug = ctx.pathParam("param0");
                    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
                    // Only the password form: any other POST to a slug stays what it was (404 problem).
                    if (LinkRules.isReserved(slug) || type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                        ctx.next();
                        return;
                    }
                    String host = host(ctx.request());
                    Domain d = domains.lookup(host);
                    redirects.unlock(ctx, blocking, d == null ? slug : LinkKeys.of(host, slug), d);
                });
    }
}

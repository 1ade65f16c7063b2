package dev.kurz.web;

import dev.kurz.audit.Actor;
import dev.kurz.auth.Principal;
import io.vertx.ext.web.RoutingContext;

/** What handlers need to know about the caller: who it is for the audit trail, and which links it may see. */
final class Callers {
    private Callers() {}

    /** Read on the event loop, before the work moves to a virtual thread. */
    static Actor actor(RoutingContext ctx) {
        Principal p = ApiRoutes.principal(ctx);
        return new Actor(p == null ? null : p.keyId(), p == null ? null : p.keyName(), RequestInfo.clientIp(ctx), RequestInfo.requestId(ctx));
    }

    /** The key id a {@code links:own} caller is limited to, else null (every link). */
    static Long linksVisibleTo(RoutingContext ctx) {
        Principal p = ApiRoutes.principal(ctx);
        return p == null ? null : p.linksVisibleTo();
    }

    /** The key id that creates links in this request. */
    static Long keyId(RoutingContext ctx) {
        Principal p = ApiRoutes.principal(ctx);
        return p == null ? null : p.keyId();
    }

    /**
     * Refuses a {@code links:own} caller what spans every link (workspace totals, alert rules):
     * it would show others' links. 403, since the endpoint's existence is no secret.
     */
    static void refuseOwnLinksOnly(RoutingContext ctx, String what) {
        Principal p = ApiRoutes.principal(ctx);
        if (p != null && p.ownLinksOnly()) {
            throw new dev.kurz.problem.ProblemException("own-links-only", "Limited to own links", 403,
                    "This API key has the scope links:own: it sees only the links it created, so " + what + " is not available to it");
        }
    }
}

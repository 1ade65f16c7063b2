package dev.kurz.web;

import dev.kurz.audit.AuditLog;
import dev.kurz.auth.Scope;
import dev.kurz.link.Domain;
import dev.kurz.link.DomainService;
import dev.kurz.link.InvalidLinkException;
import dev.kurz.problem.ProblemException.FieldError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/v1/domains}: the branded domains links may live on. Reading needs links:read, also
 * for a links:own key (its links may live on them; what a domain redirects to any visitor sees);
 * a change affects every link of the installation, so it needs admin.
 */
final class DomainRoutes {
    private final DomainService domains;
    private final Blocking blocking;
    private final String scheme;
    private final AuditLog audit;

    DomainRoutes(DomainService domains, Blocking blocking, String baseUrl, AuditLog audit) {
        this.domains = domains;
        this.blocking = blocking;
        this.scheme = baseUrl.substring(0, baseUrl.indexOf(':'));
        this.audit = audit;
    }

    void mount(Router r) {
        r.route("/api/v1/domains*").handler(ctx -> {
            if (ctx.request().method() != io.vertx.core.http.HttpMethod.GET) Callers.refuseOwnLinksOnly(ctx, "changing domains");
            ctx.next();
        });
        r.post("/api/v1/domains").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            JsonObject body = ApiRoutes.body(ctx);
            List<FieldError> errors = new ArrayList<>();
            known(body, errors);
            String host = string(body, "host", errors), root = string(body, "rootRedirect", errors), missing = string(body, "notFoundRedirect", errors);
            if (!errors.isEmpty()) throw new InvalidLinkException(errors);
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                Domain d = domains.create(host, root, missing);
                audit.record(who, "domain.created", "domain:" + d.host(), toJson(d));
                return d;
            }, d -> {
                ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/domains/" + d.host());
                ApiRoutes.json(ctx, 201, toJson(d));
            });
        }));
        r.get("/api/v1/domains").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> blocking.run(ctx, domains::list, list -> {
            JsonArray items = new JsonArray();
            items.add(new JsonObject().put("host", domains.defaultHost()).put("default", true)
                    .put("baseUrl", scheme + "://" + domains.defaultHost()));
            for (Domain d : list) items.add(toJson(d));
            ApiRoutes.json(ctx, 200, new JsonObject().put("items", items));
        })));
        r.get("/api/v1/domains/:host").handler(ApiRoutes.scope(Scope.LINKS_READ,
                ctx -> blocking.run(ctx, () -> domains.get(ctx.pathParam("host")), d -> ApiRoutes.json(ctx, 200, toJson(d)))));
        r.patch("/api/v1/domains/:host").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            JsonObject body = ApiRoutes.body(ctx);
            List<FieldError> errors = new ArrayList<>();
            known(body, errors);
            String root = string(body, "rootRedirect", errors), missing = string(body, "notFoundRedirect", errors);
            if (!errors.isEmpty()) throw new InvalidLinkException(errors);
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                Domain d = domains.patch(ctx.pathParam("host"), body.fieldNames(), root, missing);
                audit.record(who, "domain.updated", "domain:" + d.host(), toJson(d));
                return d;
            }, d -> ApiRoutes.json(ctx, 200, toJson(d)));
        }));
        r.delete("/api/v1/domains/:host").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                domains.delete(ctx.pathParam("host"));
                audit.record(who, "domain.deleted", "domain:" + ctx.pathParam("host").toLowerCase(java.util.Locale.ROOT), new JsonObject());
                return true;
            }, ok -> ctx.response().setStatusCode(204).end());
        }));
    }

    JsonObject toJson(Domain d) {
        return new JsonObject().put("host", d.host()).put("default", false).put("baseUrl", scheme + "://" + d.host())
                .put("rootRedirect", d.rootRedirect()).put("notFoundRedirect", d.notFoundRedirect())
                .put("createdAt", d.createdAt().toString());
    }

    private static void known(JsonObject body, List<FieldError> errors) {
        for (String f : body.fieldNames()) {
            if (!DomainService.FIELDS.contains(f)) errors.add(new FieldError(f, "is not a known field; known fields: host, notFoundRedirect, rootRedirect"));
        }
    }

    private static String string(JsonObject o, String f, List<FieldError> errors) {
        Object v = o.getValue(f);
        if (v == null || v instanceof String) return (String) v;
        errors.add(new FieldError(f, "must be a string"));
        return null;
    }
}

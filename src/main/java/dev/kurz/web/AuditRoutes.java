package dev.kurz.web;

import dev.kurz.audit.AuditEvent;
import dev.kurz.audit.AuditLog;
import dev.kurz.auth.Scope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /api/v1/audit} (admin): the audit trail, newest first, in cursor pages, filtered by action or target. */
final class AuditRoutes {
    private final AuditLog audit;
    private final Blocking blocking;

    AuditRoutes(AuditLog audit, Blocking blocking) {
        this.audit = audit;
        this.blocking = blocking;
    }

    void mount(Router r) {
        r.get("/api/v1/audit").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            int limit = ApiRoutes.intParam(ctx, "limit", AuditLog.DEFAULT_PAGE, 1, AuditLog.MAX_PAGE);
            String cursor = ctx.request().getParam("cursor");
            String action = ctx.request().getParam("action");
            String target = ctx.request().getParam("target");
            blocking.run(ctx, () -> audit.list(limit, cursor, action, target), page -> {
                JsonArray items = new JsonArray();
                for (AuditEvent e : page.items()) items.add(AuditLog.toJson(e));
                ApiRoutes.json(ctx, 200, new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
            });
        }));
    }
}

package dev.kurz.web;

import dev.kurz.alert.AlertEvent;
import dev.kurz.alert.AlertRule;
import dev.kurz.alert.Alerts;
import dev.kurz.auth.Scope;
import dev.kurz.problem.ProblemException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/** {@code /api/v1/alerts}: alert rules, and the events they fired. */
final class AlertRoutes {
    private static final Set<String> FIELDS = Set.of("link", "domain", "kind", "threshold", "windowMinutes", "cooldownMinutes");
    private final Alerts alerts;
    private final Blocking blocking;
    private final dev.kurz.audit.AuditLog audit;

    AlertRoutes(Alerts alerts, Blocking blocking, dev.kurz.audit.AuditLog audit) {
        this.alerts = alerts;
        this.blocking = blocking;
        this.audit = audit;
    }

    void mount(Router r) {
        // Rules and events span links of every key: not for links:own keys.
        r.route("/api/v1/alerts*").handler(ctx -> {
            Callers.refuseOwnLinksOnly(ctx, "alert rules");
            ctx.next();
        });
        r.post("/api/v1/alerts").handler(ApiRoutes.scope(Scope.LINKS_WRITE, ctx -> {
            JsonObject body = ApiRoutes.body(ctx);
            for (String f : body.fieldNames()) {
                if (!FIELDS.contains(f)) {
                    throw new ProblemException("validation", "Invalid alert rule", 400, f + ": is not a known field",
                            List.of(new ProblemException.FieldError(f, "is not a known field; known fields: " + String.join(", ", FIELDS.stream().sorted().toList()))));
                }
            }
            Object link = body.getValue("link");
            if (link != null && !(link instanceof String)) throw invalid("link", "must be a slug (a string), or absent for all links");
            Object domain = body.getValue("domain");
            if (domain != null && !(domain instanceof String)) throw invalid("domain", "must be a host (a string): the domain of the link");
            if (domain != null && link == null) throw invalid("domain", "names the domain of link; give link too (a rule without link covers all links)");
            String kind = body.getValue("kind") instanceof String k ? k : null;
            Long threshold = number(body, "threshold");
            Long window = number(body, "windowMinutes");
            Long cooldown = number(body, "cooldownMinutes");
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                AlertRule created = alerts.create((String) link, (String) domain, kind, threshold, window, cooldown);
                audit.alertCreated(who, created.id(), Alerts.toJson(created));
                return created;
            }, rule -> {
                ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/alerts/" + rule.id());
                ApiRoutes.json(ctx, 201, Alerts.toJson(rule));
            });
        }));
        r.get("/api/v1/alerts").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> blocking.run(ctx, alerts::list, rules -> {
            JsonArray items = new JsonArray();
            for (AlertRule rule : rules) items.add(Alerts.toJson(rule));
            ApiRoutes.json(ctx, 200, new JsonObject().put("items", items));
        })));
        r.get("/api/v1/alerts/events").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> {
            int limit = ApiRoutes.intParam(ctx, "limit", 50, 1, 1000);
            String cursor = ctx.request().getParam("cursor");
            Long before;
            try {
                before = cursor == null || cursor.isBlank() ? null : Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw ApiProblems.badRequest("cursor: not a cursor this API returned");
            }
            blocking.run(ctx, () -> alerts.events(before, limit + 1), events -> {
                boolean more = events.size() > limit;
                List<AlertEvent> page = more ? events.subList(0, limit) : events;
                JsonArray items = new JsonArray();
                for (AlertEvent e : page) items.add(Alerts.toJson(e));
                ApiRoutes.json(ctx, 200, new JsonObject().put("items", items)
                        .put("nextCursor", more ? Long.toString(page.get(page.size() - 1).id()) : null));
            });
        }));
        r.delete("/api/v1/alerts/:id").handler(ApiRoutes.scope(Scope.LINKS_WRITE, ctx -> {
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                throw new ProblemException("alert-not-found", "Alert rule not found", 404, "No alert rule has the id " + ctx.pathParam("id"));
            }
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                alerts.delete(id);
                audit.alertDeleted(who, id);
                return true;
            }, ok -> ctx.response().setStatusCode(204).end());
        }));
    }

    private static Long number(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) return null;
        if (v instanceof Number n) {
            try {
                return new BigDecimal(n.toString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                // reported below
            }
        }
        throw invalid(field, "must be a whole number");
    }

    private static ProblemException invalid(String field, String message) {
        return new ProblemException("validation", "Invalid alert rule", 400, field + ": " + message,
                List.of(new ProblemException.FieldError(field, message)));
    }
}

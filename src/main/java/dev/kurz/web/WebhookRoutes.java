package dev.kurz.web;

import dev.kurz.auth.Scope;
import dev.kurz.problem.ProblemException;
import dev.kurz.webhook.Delivery;
import dev.kurz.webhook.Webhook;
import dev.kurz.webhook.Webhooks;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /api/v1/webhooks}: endpoints, their deliveries, retries. Admin keys only: a webhook sees every link's events. */
final class WebhookRoutes {
    private static final Set<String> CREATE_FIELDS = Set.of("url", "events", "description");
    private static final Set<String> PATCH_FIELDS = Set.of("url", "events", "description", "enabled");
    private final Webhooks webhooks;
    private final Blocking blocking;
    private final dev.kurz.audit.AuditLog audit;

    WebhookRoutes(Webhooks webhooks, Blocking blocking, dev.kurz.audit.AuditLog audit) {
        this.webhooks = webhooks;
        this.blocking = blocking;
        this.audit = audit;
    }

    void mount(Router r) {
        r.post("/api/v1/webhooks").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            JsonObject body = ApiRoutes.body(ctx);
            known(body, CREATE_FIELDS);
            String url = string(body, "url");
            List<String> events = events(body);
            String description = string(body, "description");
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                Webhooks.Created made = webhooks.create(url, events, description);
                audit.record(who, "webhook.created", "webhook:" + made.webhook().id(), new JsonObject()
                        .put("url", new JsonObject().put("after", made.webhook().url()))
                        .put("events", new JsonObject().put("after", new JsonArray(new ArrayList<Object>(made.webhook().events())))));
                return made;
            }, made -> {
                ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/webhooks/" + made.webhook().id());
                ApiRoutes.json(ctx, 201, Webhooks.toJson(made.webhook()).put("secret", made.secret()));
            });
        }));
        r.get("/api/v1/webhooks").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> blocking.run(ctx, webhooks::list, list -> {
            JsonArray items = new JsonArray();
            for (Webhook w : list) items.add(Webhooks.toJson(w));
            ApiRoutes.json(ctx, 200, new JsonObject().put("items", items));
        })));
        r.get("/api/v1/webhooks/:id").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> blocking.run(ctx,
                () -> webhooks.get(ctx.pathParam("id")), w -> ApiRoutes.json(ctx, 200, Webhooks.toJson(w)))));
        r.patch("/api/v1/webhooks/:id").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            JsonObject body = ApiRoutes.body(ctx);
            known(body, PATCH_FIELDS);
            String url = string(body, "url");
            List<String> events = body.containsKey("events") ? events(body) : null;
            Object enabled = body.getValue("enabled");
            if (enabled != null && !(enabled instanceof Boolean)) throw invalid("enabled", "must be true or false");
            String description = string(body, "description");
            boolean hasDescription = body.containsKey("description");
            var who = Callers.actor(ctx);
            String id = ctx.pathParam("id");
            blocking.run(ctx, () -> {
                Webhook before = webhooks.get(id);
                Webhook after = webhooks.update(id, url, events, (Boolean) enabled, description, hasDescription);
                JsonObject changes = new JsonObject();
                if (!before.url().equals(after.url())) changes.put("url", change(before.url(), after.url()));
                if (!before.events().equals(after.events())) {
                    changes.put("events", change(new JsonArray(new ArrayList<Object>(before.events())), new JsonArray(new ArrayList<Object>(after.events()))));
                }
                if (before.enabled() != after.enabled()) changes.put("enabled", change(before.enabled(), after.enabled()));
                if (!changes.isEmpty()) audit.record(who, "webhook.updated", "webhook:" + after.id(), changes);
                return after;
            }, w -> ApiRoutes.json(ctx, 200, Webhooks.toJson(w)));
        }));
        r.delete("/api/v1/webhooks/:id").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            var who = Callers.actor(ctx);
            String id = ctx.pathParam("id");
            blocking.run(ctx, () -> {
                webhooks.delete(id);
                audit.record(who, "webhook.deleted", "webhook:" + id, new JsonObject());
                return true;
            }, ok -> ctx.response().setStatusCode(204).end());
        }));
        r.post("/api/v1/webhooks/:id/rotate-secret").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            var who = Callers.actor(ctx);
            String id = ctx.pathParam("id");
            blocking.run(ctx, () -> {
                Webhooks.Created rotated = webhooks.rotateSecret(id);
                audit.record(who, "webhook.secret-rotated", "webhook:" + id, new JsonObject());
                return rotated;
            }, rotated -> ApiRoutes.json(ctx, 200, Webhooks.toJson(rotated.webhook()).put("secret", rotated.secret())
                    .put("previousSecretValidUntil", rotated.webhook().previousUntil().toString())));
        }));
        r.get("/api/v1/webhooks/:id/deliveries").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            int limit = ApiRoutes.intParam(ctx, "limit", 50, 1, Webhooks.MAX_PAGE);
            String cursor = ctx.request().getParam("cursor");
            blocking.run(ctx, () -> webhooks.deliveries(ctx.pathParam("id"), limit, cursor), page -> {
                JsonArray items = new JsonArray();
                for (Delivery d : page.items()) items.add(Webhooks.toJson(d));
                ApiRoutes.json(ctx, 200, new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
            });
        }));
        r.post("/api/v1/webhooks/:id/deliveries/:deliveryId/retry").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            var who = Callers.actor(ctx);
            String id = ctx.pathParam("id");
            String deliveryId = ctx.pathParam("deliveryId");
            blocking.run(ctx, () -> {
                Delivery d = webhooks.retry(id, deliveryId);
                audit.record(who, "webhook.delivery-retried", "webhook:" + id, new JsonObject().put("delivery", change(null, d.id())));
                return d;
            }, d -> ApiRoutes.json(ctx, 202, Webhooks.toJson(d)));
        }));
    }

    private static JsonObject change(Object before, Object after) {
        return new JsonObject().put("before", before).put("after", after);
    }

    private static void known(JsonObject body, Set<String> fields) {
        for (String f : body.fieldNames()) {
            if (!fields.contains(f)) throw invalid(f, "is not a known field; known fields: " + String.join(", ", fields.stream().sorted().toList()));
        }
    }

    private static String string(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null || v instanceof String) return (String) v;
        throw invalid(field, "must be a string");
    }

    private static List<String> events(JsonObject body) {
        Object v = body.getValue("events");
        if (!(v instanceof JsonArray a)) throw invalid("events", "must be an array of event types");
        List<String> out = new ArrayList<>();
        for (Object o : a) {
            if (!(o instanceof String s)) throw invalid("events", "must be an array of event types (strings)");
            out.add(s);
        }
        return out;
    }

    private static ProblemException invalid(String field, String message) {
        return new ProblemException("validation", "Invalid webhook", 400, field + ": " + message,
                List.of(new ProblemException.FieldError(field, message)));
    }
}

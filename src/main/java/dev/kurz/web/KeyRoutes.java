package dev.kurz.web;

import dev.kurz.audit.Actor;
import dev.kurz.audit.AuditLog;
import dev.kurz.auth.ApiKey;
import dev.kurz.auth.ApiKeyStore;
import dev.kurz.auth.ApiKeys;
import dev.kurz.auth.InvalidKeyException;
import dev.kurz.auth.Principal;
import dev.kurz.auth.Scope;
import dev.kurz.problem.ProblemException;
import dev.kurz.problem.ProblemException.FieldError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/keys} (admin): create a key (its secret is in that answer only), list keys
 * (never a secret), revoke one. Every change goes to the audit trail before the answer.
 */
final class KeyRoutes {
    private static final Set<String> FIELDS = Set.of("name", "scopes");
    private final ApiKeys keys;
    private final AuditLog audit;
    private final Blocking blocking;

    KeyRoutes(ApiKeys keys, AuditLog audit, Blocking blocking) {
        this.keys = keys;
        this.audit = audit;
        this.blocking = blocking;
    }

    void mount(Router r) {
        r.post("/api/v1/keys").handler(ApiRoutes.scope(Scope.ADMIN, this::create));
        r.get("/api/v1/keys").handler(ApiRoutes.scope(Scope.ADMIN, this::list));
        r.delete("/api/v1/keys/:id").handler(ApiRoutes.scope(Scope.ADMIN, this::revoke));
    }

    private void create(RoutingContext ctx) {
        JsonObject body = ApiRoutes.body(ctx);
        List<FieldError> errors = new ArrayList<>();
        for (String f : body.fieldNames()) {
            if (!FIELDS.contains(f)) errors.add(new FieldError(f, "is not a known field; known fields: name, scopes"));
        }
        Object nameValue = body.getValue("name");
        String name = nameValue instanceof String s ? s : null;
        if (nameValue != null && name == null) errors.add(new FieldError("name", "must be a string"));
        Set<Scope> scopes = scopes(body.getValue("scopes"), errors);
        if (errors.isEmpty()) {
            try {
                ApiKeys.check(name, scopes);
            } catch (InvalidKeyException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) throw new InvalidKeyException(errors);
        Actor who = Callers.actor(ctx);
        blocking.run(ctx, () -> {
            ApiKeys.Issued issued = keys.createChecked(name, scopes);
            audit.keyCreated(who, issued.info());
            return issued;
        }, issued -> {
            ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/keys/" + issued.info().id());
            ApiRoutes.json(ctx, 201, toJson(issued.info(), -1).put("key", issued.key()));
        });
    }

    /** Known labels only; repeats are harmless. Null when the value is not an array of strings. */
    private static Set<Scope> scopes(Object value, List<FieldError> errors) {
        String known = Arrays.stream(Scope.values()).map(Scope::label).collect(Collectors.joining(", "));
        if (value == null) {
            errors.add(new FieldError("scopes", "is required: an array of one or more of " + known));
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            errors.add(new FieldError("scopes", "must be an array of scope names, e.g. [\"links:read\"]"));
            return null;
        }
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        List<String> unknown = new ArrayList<>();
        for (Object o : array) {
            if (!(o instanceof String s)) {
                errors.add(new FieldError("scopes", "must be an array of scope names (strings)"));
                return null;
            }
            Scope match = Arrays.stream(Scope.values()).filter(sc -> sc.label().equals(s)).findFirst().orElse(null);
            if (match == null) unknown.add(s);
            else out.add(match);
        }
        if (!unknown.isEmpty()) {
            errors.add(new FieldError("scopes", "unknown scope" + (unknown.size() == 1 ? " '" : "s '") + String.join("', '", unknown)
                    + "': known scopes are " + known));
            return null;
        }
        return out;
    }

    private void list(RoutingContext ctx) {
        Principal caller = ApiRoutes.principal(ctx);
        blocking.run(ctx, keys::list, all -> {
            JsonArray items = new JsonArray();
            for (ApiKey k : all) items.add(toJson(k, caller.keyId()));
            ApiRoutes.json(ctx, 200, new JsonObject().put("items", items));
        });
    }

    private void revoke(RoutingContext ctx) {
        String raw = ctx.pathParam("id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw notFound(raw);
        }
        Actor who = Callers.actor(ctx);
        blocking.run(ctx, () -> {
            ApiKeyStore.Revoked r = keys.revoke(id, true);
            switch (r.outcome()) {
                case NOT_FOUND -> throw notFound(raw);
                case LAST_ADMIN -> throw new ProblemException("last-admin-key", "Last admin key", 409,
                        "Key " + id + " ('" + r.key().name() + "') is the last active admin key: revoking it would leave nobody able to"
                                + " manage keys through the API. Create another admin key first, then revoke this one.");
                case REVOKED -> audit.keyRevoked(who, r.key());
                case ALREADY_REVOKED -> { } // revoking twice is the same as once: nothing new to record
            }
            return r;
        }, r -> ctx.response().setStatusCode(204).end());
    }

    private static ProblemException notFound(String id) {
        return new ProblemException("key-not-found", "API key not found", 404, "No API key has the id " + id);
    }

    /** @param callerId the key making the request: marked {@code "current": true} */
    static JsonObject toJson(ApiKey k, long callerId) {
        JsonObject o = new JsonObject()
                .put("id", k.id())
                .put("name", k.name())
                .put("prefix", k.prefix())
                .put("scopes", new JsonArray(k.scopes().stream().map(Scope::label).sorted().map(Object.class::cast).toList()))
                .put("createdAt", k.createdAt().toString())
                .put("revokedAt", k.revokedAt() == null ? null : k.revokedAt().toString());
        if (callerId >= 0) o.put("current", k.id() == callerId);
        return o;
    }
}

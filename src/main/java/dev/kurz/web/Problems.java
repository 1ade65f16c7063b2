package dev.kurz.web;

import dev.kurz.problem.ProblemException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Writes RFC 9457 problem documents. */
final class Problems {
    static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized("application/problem+json");

    private Problems() {}

    static JsonObject toJson(ProblemException p) {
        JsonObject body = new JsonObject()
                .put("type", p.type())
                .put("title", p.title())
                .put("status", p.status())
                .put("detail", p.detail());
        if (!p.errors().isEmpty()) {
            JsonArray errors = new JsonArray();
            p.errors().forEach(e -> errors.add(new JsonObject().put("field", e.field()).put("message", e.message())));
            body.put("errors", errors);
        }
        return body;
    }

    static io.vertx.core.Future<Void> send(HttpServerResponse response, ProblemException p, String instance) {
        return send(response, p, instance, null);
    }

    /** With {@code requestId} (5xx answers): the id to quote when reporting it, also in the server's log lines of that request. */
    static io.vertx.core.Future<Void> send(HttpServerResponse response, ProblemException p, String instance, String requestId) {
        if (response.ended() || response.headWritten()) return io.vertx.core.Future.succeededFuture();
        JsonObject body = toJson(p);
        if (instance != null) body.put("instance", instance);
        if (requestId != null) body.put("requestId", requestId);
        return response.setStatusCode(p.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(body.encode());
    }
}

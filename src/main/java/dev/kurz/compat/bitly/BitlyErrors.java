package dev.kurz.compat.bitly;

import dev.kurz.problem.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** Bitly's error body, {@code {message: "UPPER_CASE_CODE", description, resource, errors?}}: what a Kurz problem becomes on {@code /v4}. */
final class BitlyErrors {
    private BitlyErrors() {}

    /** A Bitly-shaped error raised by the adapter itself. */
    static final class Error extends RuntimeException {
        final int status;
        final JsonObject body;

        Error(int status, String message, String description) {
            super(description, null, false, false);
            this.status = status;
            this.body = new JsonObject().put("message", message).put("description", description).put("resource", "bitlinks");
        }

        Error field(String field, String code, String message) {
            JsonArray errors = body.getJsonArray("errors");
            if (errors == null) body.put("errors", errors = new JsonArray());
            errors.add(new JsonObject().put("field", field).put("error_code", code).put("message", message));
            return this;
        }
    }

    static Error forbidden() {
        return new Error(403, "FORBIDDEN", "Send a Kurz API key as Authorization: Bearer <key> (or the bare key)");
    }

    static Error notFound(String what) {
        return new Error(404, "NOT_FOUND", what);
    }

    static Error invalid(String field, String why) {
        return new Error(400, "INVALID_ARG_" + field.toUpperCase(Locale.ROOT), why).field(field, "invalid", why);
    }

    /** A Kurz problem in Bitly's words. */
    static Error of(ProblemException p) {
        String kind = p.type().substring(p.type().lastIndexOf(':') + 1);
        return switch (kind) {
            case "link-not-found" -> notFound(p.detail());
            case "slug-taken" -> new Error(409, "CONFLICT", p.detail()).field("keyword", "already_exists", p.detail());
            case "validation", "blocked-destination" -> validation(p);
            case "bad-request", "malformed-json", "unsupported-media-type" -> new Error(400, "BAD_REQUEST", p.detail());
            case "forbidden", "own-links-only", "unauthorized" -> new Error(403, "FORBIDDEN", p.detail());
            case "not-found" -> notFound(p.detail());
            default -> p.status() == 503 ? new Error(503, "TEMPORARILY_UNAVAILABLE", p.detail())
                    : p.status() >= 500 ? new Error(500, "INTERNAL_ERROR", p.detail())
                    : new Error(p.status(), kind.toUpperCase(Locale.ROOT).replace('-', '_'), p.detail());
        };
    }

    private static Error validation(ProblemException p) {
        String first = p.errors().isEmpty() ? null : field(p.errors().get(0).field());
        Error e = new Error(400, p.errors().size() == 1 ? "INVALID_ARG_" + first.toUpperCase(Locale.ROOT) : "BAD_REQUEST", p.detail());
        for (ProblemException.FieldError f : p.errors()) e.field(field(f.field()), "invalid", f.message());
        return e;
    }

    /** Kurz's field names in Bitly's words. */
    private static String field(String kurz) {
        return switch (kurz) {
            case "url" -> "long_url";
            case "slug" -> "keyword";
            case "expiresAt" -> "expiration_at";
            default -> kurz;
        };
    }
}

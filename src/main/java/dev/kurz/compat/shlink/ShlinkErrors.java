package dev.kurz.compat.shlink;

import dev.kurz.problem.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Shlink's problem details ({@code https://shlink.io/api/error/<code>}, RFC 7807 plus Shlink's
 * extra fields): what a Kurz problem becomes on {@code /rest/*}. The SDK throws the body as is and
 * the web client branches on {@code type}.
 */
final class ShlinkErrors {
    static final String TYPES = "https://shlink.io/api/error/";

    private ShlinkErrors() {}

    /** A Shlink-typed problem raised by the adapter itself. */
    static final class Error extends RuntimeException {
        final int status;
        final JsonObject body;

        Error(int status, String code, String title, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.body = new JsonObject().put("type", TYPES + code).put("title", title).put("detail", detail).put("status", status);
        }

        Error with(String field, Object value) {
            body.put(field, value);
            return this;
        }
    }

    static Error invalidData(String detail, String... fields) {
        return new Error(400, "invalid-data", "Invalid data", detail).with("invalidElements", new JsonArray(java.util.List.of((Object[]) fields)));
    }

    static Error shortUrlNotFound(String shortCode) {
        return new Error(404, "short-url-not-found", "Short URL not found",
                "No URL found with short code \"" + shortCode + "\"").with("shortCode", shortCode);
    }

    static Error tagNotFound(String tag) {
        return new Error(404, "tag-not-found", "Tag not found", "Tag with name \"" + tag + "\" could not be found").with("tag", tag);
    }

    static Error tagConflict(String oldName, String newName) {
        return new Error(409, "tag-conflict", "Tag conflict", "You cannot rename tag " + oldName + " to " + newName
                + ", because it already exists").with("oldName", oldName).with("newName", newName);
    }

    static Error missingAuthentication() {
        return new Error(401, "missing-authentication", "Invalid authorization",
                "Expected one of the following authentication headers, [\"X-Api-Key\"], but none were provided");
    }

    static Error invalidApiKey() {
        return new Error(401, "invalid-api-key", "Invalid API key", "Provided API key does not exist or is invalid.");
    }

    static Error mercureNotConfigured() {
        return new Error(501, "mercure-not-configured", "Mercure integration not configured",
                "This Shlink instance is not integrated with a mercure hub.");
    }

    static Error notFound(String path) {
        return new Error(404, "not-found", "Not found", "Requested route does not exist: " + path);
    }

    /** A Kurz problem in Shlink's words: the closest Shlink type, Kurz's detail kept. */
    static Error of(ProblemException p, String shortCode) {
        String kind = p.type().substring(p.type().lastIndexOf(':') + 1);
        return switch (kind) {
            case "link-not-found" -> shortUrlNotFound(shortCode);
            case "slug-taken" -> new Error(400, "non-unique-slug", "Invalid custom slug", p.detail()).with("customSlug", shortCode);
            case "validation", "blocked-destination", "bad-request", "malformed-json", "unsupported-media-type" ->
                    invalidData(p.detail(), fields(p));
            case "forbidden", "own-links-only" -> new Error(403, "forbidden-operation", "Forbidden", p.detail());
            case "unauthorized" -> invalidApiKey();
            case "not-found" -> notFound(p.detail());
            default -> new Error(p.status(), p.status() >= 500 ? "internal-server-error" : kind, p.title(), p.detail());
        };
    }

    /** Kurz's field names in Shlink's words. */
    private static String[] fields(ProblemException p) {
        Set<String> out = new LinkedHashSet<>();
        for (ProblemException.FieldError e : p.errors()) {
            out.add(switch (e.field()) {
                case "url" -> "longUrl";
                case "slug" -> "customSlug";
                case "expiresAt" -> "validUntil";
                case "maxClicks" -> "maxVisits";
                default -> e.field();
            });
        }
        return out.toArray(String[]::new);
    }
}

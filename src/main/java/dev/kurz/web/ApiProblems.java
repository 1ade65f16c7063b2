package dev.kurz.web;

import dev.kurz.problem.ProblemException;

/** The HTTP layer's own situations; each factory is one stable problem {@code type}. */
final class ApiProblems {
    private ApiProblems() {}

    static ProblemException unauthorized() {
        return new ProblemException("unauthorized", "Unauthorized", 401,
                "Send a valid API key in the X-Api-Key header or as Authorization: Bearer <key>");
    }

    static ProblemException forbidden(String scope) {
        return new ProblemException("forbidden", "Forbidden", 403, "This API key lacks the scope '" + scope + "'");
    }

    static ProblemException malformedJson(String why) {
        return new ProblemException("malformed-json", "Malformed JSON", 400, "The request body is not valid JSON: " + why);
    }

    static ProblemException badRequest(String detail) {
        return new ProblemException("bad-request", "Bad request", 400, detail);
    }

    static ProblemException unsupportedMediaType() {
        return new ProblemException("unsupported-media-type", "Unsupported media type", 415,
                "Send the body as JSON with Content-Type: application/json");
    }

    static ProblemException payloadTooLarge(long limit) {
        return new ProblemException("payload-too-large", "Payload too large", 413,
                "The request body is larger than " + limit + " bytes");
    }

    static ProblemException notFound(String path) {
        return new ProblemException("not-found", "Not found", 404, "Nothing is served at " + path);
    }

    static ProblemException methodNotAllowed(String method, String path) {
        return new ProblemException("method-not-allowed", "Method not allowed", 405, method + " is not allowed on " + path);
    }

    static ProblemException linkExpired(String slug) {
        return new ProblemException("link-expired", "Link expired", 410, "The link '" + slug + "' has expired");
    }

    static ProblemException linkExhausted(String slug) {
        return new ProblemException("link-exhausted", "Link click limit reached", 410,
                "The link '" + slug + "' has reached its click limit");
    }

    static ProblemException internal(String requestId) {
        return new ProblemException("internal", "Internal server error", 500,
                "Kurz failed to handle this request; the server log has the details under request id " + requestId);
    }

    static ProblemException unavailable(String what) {
        return new ProblemException("unavailable", "Service unavailable", 503, what + " is unavailable; try again shortly");
    }
}

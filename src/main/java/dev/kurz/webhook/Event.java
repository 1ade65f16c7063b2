package dev.kurz.webhook;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Something that happened, as every subscribed endpoint receives it: the body
 * {@code {"type","timestamp","data"}}, the key that orders it among its subject's events, and the
 * request id of what caused it (null: no request, e.g. a scheduled check).
 */
public record Event(String type, String orderKey, JsonObject data, String requestId, Instant at) {

    /** The request body, as signed and sent on every attempt. */
    public String body() {
        return new JsonObject().put("type", type).put("timestamp", at.toString()).put("data", data).encode();
    }

    /** The request id the current thread works for (its log context), or null. */
    static String currentRequestId() {
        return org.slf4j.MDC.get("requestId");
    }
}

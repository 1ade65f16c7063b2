package dev.kurz.linkcheck;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The last check of a link's destination: {@code ok} (it answered below 400, after at most 5
 * redirects), {@code broken} (an error status, too many redirects, or no answer), or
 * {@code unknown} (not checked yet, or an answer that says nothing about the page: 401, 403, 429).
 */
public record LinkHealth(Status status, Integer httpStatus, String error, Instant checkedAt) {
    public static final LinkHealth UNKNOWN = new LinkHealth(Status.UNKNOWN, null, null, null);

    public enum Status {
        OK, BROKEN, UNKNOWN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The status for a query value, or null when it is not one. */
        public static Status parse(String s) {
            for (Status v : values()) if (v.label().equals(s)) return v;
            return null;
        }
    }

    public JsonObject toJson() {
        return new JsonObject().put("status", status.label()).put("httpStatus", httpStatus).put("error", error)
                .put("checkedAt", checkedAt == null ? null : checkedAt.toString());
    }
}

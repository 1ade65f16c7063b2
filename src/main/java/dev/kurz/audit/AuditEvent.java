package dev.kurz.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One recorded change. {@code changes} maps each field to {@code {"before":…,"after":…}}
 * ({@code before} absent for what was created, {@code after} absent for what was deleted); it
 * never holds a key's secret.
 */
public record AuditEvent(long id, Instant at, Long keyId, String keyName, String ip, String requestId, String action,
                         String target, JsonObject changes) {}

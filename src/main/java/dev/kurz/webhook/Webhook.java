package dev.kurz.webhook;

import java.time.Instant;
import java.util.List;

/**
 * A receiving endpoint. {@code secret} signs; {@code previousSecret} signs too until
 * {@code previousUntil} after a rotation. {@code failingSince} is when its current run of failed
 * attempts began (null: the last one succeeded).
 */
public record Webhook(long id, String url, List<String> events, String description, String secret, String previousSecret,
                      Instant previousUntil, boolean enabled, Instant createdAt, Instant updatedAt, Instant failingSince,
                      String disabledReason) {

    public boolean wants(String type) {
        return events.contains(type);
    }
}

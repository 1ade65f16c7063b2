package dev.kurz.auth;

import java.time.Instant;
import java.util.Set;

/**
 * An API key as stored: never the key itself, only its SHA-256 and a short prefix that lets a
 * person recognise it in listings.
 */
public record ApiKey(long id, String name, String prefix, Set<Scope> scopes, Instant createdAt, Instant revokedAt) {
    public ApiKey {
        scopes = Set.copyOf(scopes);
    }

    public boolean active() {
        return revokedAt == null;
    }
}

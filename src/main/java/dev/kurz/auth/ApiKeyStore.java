package dev.kurz.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Where API keys live, by hash. Blocking. */
public interface ApiKeyStore {
    /** Stores a key; when the hash exists already, returns the stored one unchanged. */
    ApiKey insert(String name, String prefix, String hash, Set<Scope> scopes, Instant now);

    Optional<ApiKey> findActiveByHash(String hash);

    List<ApiKey> listKeys();

    /** Revokes the key with this id or prefix; false when none matched an active key. */
    boolean revoke(String idOrPrefix, Instant now);

    long countActive();
}

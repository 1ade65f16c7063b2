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

    Optional<ApiKey> findById(long id);

    /** What {@link #revokeKey} did, and the key as it is now (null when no key has the id). */
    enum Revocation { REVOKED, ALREADY_REVOKED, NOT_FOUND, LAST_ADMIN }

    record Revoked(Revocation outcome, ApiKey key) {}

    /**
     * Revokes the key with this id; with {@code keepAnAdmin}, refuses ({@link Revocation#LAST_ADMIN})
     * when it is the last active admin key, atomically with respect to concurrent revocations.
     */
    Revoked revokeKey(long id, Instant now, boolean keepAnAdmin);

    /** Of these key ids, the revoked ones (one query; ids no key has are left out). */
    Set<Long> revokedAmong(java.util.Collection<Long> ids);
}

package dev.kurz.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Issues, checks and revokes API keys. Keys are 190 random bits in base62 behind a {@code kurz_}
 * prefix; only their SHA-256 is stored (a fast hash is enough for keys this random). Lookups are
 * cached for {@link #CACHE_TTL}, which bounds how long a key revoked on another node keeps working.
 */
public final class ApiKeys {
    public static final Duration CACHE_TTL = Duration.ofSeconds(10);
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int PREFIX_LENGTH = 12;

    private final ApiKeyStore store;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final AsyncLoadingCache<String, Optional<Principal>> byHash;

    /** A key just made: the only moment its clear text exists. */
    public record Issued(String key, ApiKey info) {}

    public ApiKeys(ApiKeyStore store, InstantSource clock, Executor blocking) {
        this.store = store;
        this.clock = clock;
        this.byHash = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(CACHE_TTL)
                .executor(Runnable::run)
                .buildAsync((hash, ignored) -> CompletableFuture.supplyAsync(() -> store.findActiveByHash(hash)
                        .map(k -> new Principal(k.id(), k.name(), k.scopes())), blocking));
    }

    public Issued create(String name, Set<Scope> scopes) {
        String key = newKey();
        ApiKey info = store.insert(name, key.substring(0, PREFIX_LENGTH), hash(key), scopes, clock.instant());
        return new Issued(key, info);
    }

    /** Makes sure {@code key} exists as an admin key (for KURZ_API_KEY); idempotent. */
    public ApiKey ensure(String key, String name) {
        // A key chosen by hand may be short: show only a quarter of it, never enough to guess the rest.
        return store.insert(name, key.substring(0, Math.min(PREFIX_LENGTH, key.length() / 4)) + "…", hash(key),
                EnumSet.of(Scope.ADMIN), clock.instant());
    }

    /** On a fresh installation with no active key, an admin key to print once; empty otherwise. */
    public Optional<Issued> bootstrapIfNone() {
        if (store.countActive() > 0) return Optional.empty();
        return Optional.of(create("admin (first start)", EnumSet.of(Scope.ADMIN)));
    }

    /** The principal for a key, completed at once when cached; loads off the caller's thread otherwise. */
    public CompletableFuture<Optional<Principal>> authenticate(String key) {
        if (key == null || key.isEmpty() || key.length() > 200) return CompletableFuture.completedFuture(Optional.empty());
        return byHash.get(hash(key));
    }

    public List<ApiKey> list() {
        return store.listKeys();
    }

    public boolean revoke(String idOrPrefix) {
        boolean revoked = store.revoke(idOrPrefix, clock.instant());
        if (revoked) byHash.synchronous().invalidateAll();
        return revoked;
    }

    private String newKey() {
        StringBuilder sb = new StringBuilder("kurz_");
        for (int i = 0; i < 32; i++) sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    static String hash(String key) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

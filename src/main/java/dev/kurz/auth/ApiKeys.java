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
 * cached for {@link #CACHE_TTL}, which bounds how long a key revoked on another node keeps working
 * for REST calls (live feeds are swept separately; see {@code live.RevokedKeySweep}).
 */
public final class ApiKeys {
    public static final Duration CACHE_TTL = Duration.ofSeconds(1);
    public static final int MAX_NAME_LENGTH = 100;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int PREFIX_LENGTH = 12;

    private final ApiKeyStore store;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final AsyncLoadingCache<String, Optional<Principal>> byHash;
    private volatile java.util.function.LongConsumer onRevoked = id -> {};

    /** A key just made: the only moment its clear text exists. */
    public record Issued(String key, ApiKey info) {}

    public ApiKeys(ApiKeyStore store, InstantSource clock, Executor blocking) {
        this.store = store;
        this.clock = clock;
        this.byHash = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(CACHE_TTL)
                // Busy keys are re-checked in the background before they expire, so a request
                // rarely waits for the database; an entry is still never older than CACHE_TTL.
                .refreshAfterWrite(CACHE_TTL.dividedBy(2))
                .executor(Runnable::run)
                .buildAsync((hash, ignored) -> CompletableFuture.supplyAsync(() -> store.findActiveByHash(hash)
                        .map(k -> new Principal(k.id(), k.name(), k.scopes())), blocking));
    }

    /** Told the id of each key this node revokes, once it is revoked (live feeds close, other nodes hear). */
    public void onRevoked(java.util.function.LongConsumer listener) {
        this.onRevoked = listener;
    }

    /** Creates a key after checking its name and scopes the way the API does (see {@link #check}). */
    public Issued createChecked(String name, Set<Scope> scopes) {
        check(name, scopes);
        return create(name.strip(), scopes);
    }

    /**
     * Names are 1 to {@value #MAX_NAME_LENGTH} printable characters; scopes are at least one, and
     * {@code links:own} comes with {@code links:read} or {@code links:write} and without {@code admin}.
     */
    public static void check(String name, Set<Scope> scopes) {
        List<dev.kurz.problem.ProblemException.FieldError> errors = new java.util.ArrayList<>();
        String problem = nameProblem(name);
        if (problem != null) errors.add(new dev.kurz.problem.ProblemException.FieldError("name", problem));
        problem = scopesProblem(scopes);
        if (problem != null) errors.add(new dev.kurz.problem.ProblemException.FieldError("scopes", problem));
        if (!errors.isEmpty()) throw new InvalidKeyException(errors);
    }

    static String nameProblem(String name) {
        if (name == null || name.isBlank()) return "is required: 1 to " + MAX_NAME_LENGTH + " characters that say whose key it is";
        String n = name.strip();
        if (n.codePointCount(0, n.length()) > MAX_NAME_LENGTH) return "must be at most " + MAX_NAME_LENGTH + " characters";
        for (int i = 0; i < n.length(); ) {
            int cp = n.codePointAt(i);
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                return "must contain printable characters only (found U+" + String.format("%04X", cp) + ")";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    static String scopesProblem(Set<Scope> scopes) {
        if (scopes == null || scopes.isEmpty()) {
            return "at least one is needed: " + java.util.Arrays.stream(Scope.values()).map(Scope::label).collect(java.util.stream.Collectors.joining(", "));
        }
        if (scopes.contains(Scope.LINKS_OWN)) {
            if (scopes.contains(Scope.ADMIN)) return "links:own limits links:read and links:write to the key's own links; an admin key sees every link, so the two do not go together";
            if (!scopes.contains(Scope.LINKS_READ) && !scopes.contains(Scope.LINKS_WRITE)) {
                return "links:own limits links:read and links:write to the key's own links: add links:read, links:write or both";
            }
        }
        return null;
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

    public Optional<ApiKey> find(long id) {
        return store.findById(id);
    }

    /**
     * Revokes a key by id; with {@code keepAnAdmin} (the API), refuses to revoke the last active
     * admin key, which would leave the installation manageable only from a shell.
     */
    public ApiKeyStore.Revoked revoke(long id, boolean keepAnAdmin) {
        ApiKeyStore.Revoked r = store.revokeKey(id, clock.instant(), keepAnAdmin);
        if (r.outcome() == ApiKeyStore.Revocation.REVOKED) {
            forget();
            onRevoked.accept(id);
        }
        return r;
    }

    /** Drops every cached principal: the next call with any key reads the store again. */
    public void forget() {
        byHash.synchronous().invalidateAll();
    }

    /** Of these key ids, the revoked ones (blocking; one query). */
    public Set<Long> revokedAmong(java.util.Collection<Long> ids) {
        return ids.isEmpty() ? Set.of() : store.revokedAmong(ids);
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

package dev.kurz.idempotency;

import dev.kurz.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Idempotency keys (draft-ietf-httpapi-idempotency-key-header) for requests that create links:
 * the first request with a key runs and its answer is stored with what it created, in one
 * transaction; a retry with the same key and body gets that answer again and creates nothing.
 *
 * <p>A claim is a row written before the work starts, so a concurrent duplicate on any node sees
 * it and is refused (409) rather than run twice. A claim carries a lease: when the node running
 * it dies, nothing was committed with it (the links and the answer commit together), and once the
 * lease has run out a retry takes the claim over and runs the request. An attempt that outlives
 * its lease cannot commit after a takeover, because its answer is stored only while its token
 * still holds the claim. Keys are scoped to the API key that sent them and expire after {@link #TTL}.
 */
public final class Idempotency {
    public static final Duration TTL = Duration.ofHours(24);
    /** How long a running claim holds off retries; a batch of 1,000 links takes well under a second. */
    public static final Duration LEASE = Duration.ofSeconds(30);
    /** The longest key accepted; the draft sets no limit, UUIDs (36) and ULIDs (26) fit easily. */
    public static final int MAX_KEY_LENGTH = 255;

    private final IdempotencyStore store;
    private final InstantSource clock;

    public Idempotency(IdempotencyStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    /** What a request with an idempotency key does next. */
    public sealed interface Start permits Claim, Replay {}

    /** The stored answer of the first request, to send again as it was. */
    public record Replay(int status, String body, String location) implements Start {}

    /** This attempt holds the key: run the request, and store its answer with {@link #receipt}. */
    public final class Claim implements Start {
        private final long owner;
        private final String key;
        private final String token = UUID.randomUUID().toString();

        private Claim(long owner, String key) {
            this.owner = owner;
            this.key = key;
        }

        /** The answer to store in the transaction that creates the links. */
        public Receipt receipt(int status, String body, String location) {
            return new Receipt(owner, key, token, status, body, location);
        }

        /** Gives the key up after a failure, so a retry runs the request again. */
        public void release() {
            store.release(owner, key, token);
        }
    }

    /**
     * Claims {@code key} for a request of the API key {@code owner} whose method, path and body
     * hash to {@code requestHash}; blocking.
     *
     * @throws ProblemException 422 when the key was used with another request, 409 while it runs
     */
    public Start begin(long owner, String key, String requestHash) {
        Claim claim = new Claim(owner, key);
        long now = clock.millis();
        IdempotencyStore.Found found = store.claim(owner, key, requestHash, claim.token, now, now + LEASE.toMillis(),
                now + TTL.toMillis());
        return switch (found.state()) {
            case CLAIMED -> claim;
            case DONE -> new Replay(found.status(), found.body(), found.location());
            case MISMATCH -> throw mismatch();
            case RUNNING -> throw inUse(Math.max(1, (found.lockedUntil() - now + 999) / 1000));
        };
    }

    /** Deletes expired keys; returns how many. */
    public long purgeExpired() {
        return store.purgeExpired(clock.millis());
    }

    /** A key is a non-empty run of visible ASCII, at most {@link #MAX_KEY_LENGTH} long; surrounding quotes (sf-string) are dropped. */
    public static String parseKey(String header) {
        String k = header.strip();
        if (k.length() >= 2 && k.startsWith("\"") && k.endsWith("\"")) k = k.substring(1, k.length() - 1);
        if (k.isEmpty() || k.length() > MAX_KEY_LENGTH || !k.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ProblemException("idempotency-key-invalid", "Invalid Idempotency-Key", 400,
                    "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters, e.g. a UUID");
        }
        return k;
    }

    /** SHA-256 of what makes two requests the same: method, path and the exact body. */
    public static String hash(String method, String path, byte[] body) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
            d.update(body);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ProblemException mismatch() {
        return new ProblemException("idempotency-key-mismatch", "Idempotency-Key reused", 422,
                "This Idempotency-Key was already used with a different request; use a new key for a new request");
    }

    /** 409 while the first request with the key runs; the caller should retry after {@code retryAfterSeconds}. */
    public static final class InUseException extends ProblemException {
        private final long retryAfterSeconds;

        InUseException(long retryAfterSeconds) {
            super("idempotency-key-in-use", "Idempotency-Key in use", 409,
                    "A request with this Idempotency-Key is still being processed; retry after it finished");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    static InUseException inUse(long retryAfterSeconds) {
        return new InUseException(retryAfterSeconds);
    }

    /** The attempt lost its claim to a retry (it ran past its lease): it stores and commits nothing. */
    public static InUseException claimLost() {
        return new InUseException(1);
    }
}

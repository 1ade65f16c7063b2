package dev.kurz.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * Wrong API keys per client address. Each failure takes a token; once an address has none left,
 * it is refused before its key is even checked, so guessing stops at the limit's rate.
 *
 * <p>The failures are counted in the limit's bucket (shared through Redis when there is one),
 * but the "refused before the check" state is remembered here, from the answers this node got:
 * a request with a good key then costs no Redis call. Across N nodes an address can so have its
 * key checked at most N more times per lockout than the limit says.
 */
public final class AuthFailures {
    private final Limiter limit;
    private final InstantSource clock;
    private final Cache<String, Long> refusedUntil;
    private final long millisPerToken;

    AuthFailures(Limiter limit, InstantSource clock) {
        this.limit = limit;
        this.clock = clock;
        this.millisPerToken = limit.off() ? 0 : Math.max(1, limit.rate().window().toMillis() / limit.rate().tokens());
        this.refusedUntil = Caffeine.newBuilder()
                .maximumSize(LocalBuckets.MAX_KEYS)
                .expireAfterWrite(limit.off() ? Duration.ofSeconds(1) : limit.rate().window())
                .executor(Runnable::run)
                .build();
    }

    public Limiter limit() {
        return limit;
    }

    /** Whole seconds {@code ip} must wait before its key is checked again; 0 when it may try now. */
    public long refusedFor(String ip) {
        if (limit.off()) return 0;
        Long until = refusedUntil.getIfPresent(key(ip));
        if (until == null) return 0;
        long left = until - clock.millis();
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    /** Counts one wrong (or missing) key from {@code ip}; the decision says whether it was still within the limit. */
    public CompletableFuture<Decision> failed(String ip) {
        String k = key(ip);
        return limit.acquire(k, 1).thenApply(d -> {
            if (!d.allowed() || d.remaining() == 0) {
                long wait = d.allowed() ? millisPerToken : d.retryAfterSeconds() * 1000;
                refusedUntil.asMap().merge(k, clock.millis() + wait, Math::max);
            }
            return d;
        });
    }

    private static String key(String ip) {
        return ip == null ? "" : ip;
    }
}

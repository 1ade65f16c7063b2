package dev.kurz.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets kept in a store every node shares (Redis), behind a deadline and a breaker: a call that
 * takes longer than {@code timeout} or fails makes the caller fall back to its local bucket, and
 * for {@code pause} after a failure no call is tried at all, so a slow or stopped Redis costs one
 * request at most one timeout per pause, never a hang and never an error.
 *
 * <p>Each key keeps one bucket proxy with Bucket4j's batching: calls for a key that arrive while
 * one is in flight go to Redis together as one compare-and-swap, instead of each retrying against
 * the others (200 concurrent calls on one key overran the deadline without it).
 */
public final class SharedBuckets {
    private static final Logger log = LoggerFactory.getLogger(SharedBuckets.class);
    static final String PREFIX = "kurz:rl:";

    private final AsyncProxyManager<String> buckets;
    private final long timeoutNanos;
    private final long pauseNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong pausedUntil;
    private final Cache<String, AsyncBucketProxy> proxies = Caffeine.newBuilder()
            .maximumSize(LocalBuckets.MAX_KEYS)
            .expireAfterAccess(java.time.Duration.ofMinutes(1))
            .executor(Runnable::run)
            .build();

    /** The failure that makes a limiter use its local bucket instead. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    public SharedBuckets(ProxyManager<String> buckets, Duration timeout, Duration pause) {
        this(buckets, timeout, pause, System::nanoTime);
    }

    SharedBuckets(ProxyManager<String> buckets, Duration timeout, Duration pause, LongSupplier nanoTime) {
        this.buckets = buckets.asAsync();
        this.timeoutNanos = timeout.toNanos();
        this.pauseNanos = pause.toNanos();
        this.nanoTime = nanoTime;
        this.pausedUntil = new AtomicLong(nanoTime.getAsLong()); // compared by difference: nano times may be negative
    }

    /** True while calls are paused after a failure. */
    public boolean paused() {
        return nanoTime.getAsLong() - pausedUntil.get() < 0;
    }

    CompletableFuture<ConsumptionProbe> tryConsume(String key, BucketConfiguration config, long tokens) {
        if (paused()) return CompletableFuture.failedFuture(new Unavailable("shared rate limits paused after a failure"));
        CompletableFuture<ConsumptionProbe> f;
        try {
            f = proxies.get(key, k -> buckets.builder().withOptimization(Optimizations.batching())
                    .build(PREFIX + k, () -> CompletableFuture.completedFuture(config))).tryConsumeAndReturnRemaining(tokens);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).whenComplete((p, err) -> {
            if (err != null) {
                proxies.invalidate(key); // its batch may still wait for the lost answer: later calls get a fresh proxy
                failed(err);
            }
        });
    }

    private void failed(Throwable err) {
        long now = nanoTime.getAsLong();
        long before = pausedUntil.getAndSet(now + pauseNanos);
        if (now - before >= 0) {
            log.warn("shared rate limits unavailable ({}); using this node's own buckets for {} ms",
                    err instanceof java.util.concurrent.TimeoutException ? "no answer within " + timeoutNanos / 1_000_000 + " ms" : err.toString(),
                    pauseNanos / 1_000_000);
        }
    }
}

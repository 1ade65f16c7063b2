package dev.kurz.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.config.Rate;
import dev.kurz.testing.MutableClock;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared path with a store in memory (two limiters = two nodes) and with a store that never answers. */
class SharedBucketsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    private final AtomicLong nanos = new AtomicLong();

    /** Bucket4j's compare-and-swap SPI over a map: what RedisBuckets does over Redis. */
    static final class MemoryBuckets extends AbstractCompareAndSwapBasedProxyManager<String> {
        final ConcurrentHashMap<String, byte[]> states = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean hang;

        MemoryBuckets(MutableClock clock) {
            super(ClientSideConfig.getDefault().withClientClock(Clocks.meter(clock)));
        }

        @Override
        protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
            return new AsyncCompareAndSwapOperation() {
                @Override
                public CompletableFuture<Optional<byte[]>> getStateData(Optional<Long> timeoutNanos) {
                    calls.incrementAndGet();
                    if (hang) return new CompletableFuture<>();
                    return CompletableFuture.completedFuture(Optional.ofNullable(states.get(key)));
                }

                @Override
                public CompletableFuture<Boolean> compareAndSwap(byte[] original, byte[] updated, RemoteBucketState s, Optional<Long> t) {
                    boolean ok = original == null ? states.putIfAbsent(key, updated) == null : states.replace(key, original, updated);
                    return CompletableFuture.completedFuture(ok);
                }
            };
        }

        @Override
        protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeProxy(String key) {
            states.remove(key);
        }

        @Override
        protected CompletableFuture<Void> removeAsync(String key) {
            states.remove(key);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean isAsyncModeSupported() {
            return true;
        }
    }

    @Test
    void twoNodes_shareOneBucketPerKey() {
        MemoryBuckets store = new MemoryBuckets(clock);
        SharedBuckets shared = new SharedBuckets(store, Duration.ofMillis(200), Duration.ofSeconds(2), nanos::get);
        Limiter a = Limiter.shared("api", Rate.parse("4/min"), clock, shared);
        Limiter b = Limiter.shared("api", Rate.parse("4/min"), clock, shared);
        assertThat(a.acquire("key-1", 1).join().remaining()).isEqualTo(3);
        assertThat(b.acquire("key-1", 1).join().remaining()).isEqualTo(2);
        assertThat(a.acquire("key-1", 2).join().remaining()).isZero();
        Decision refused = b.acquire("key-1", 1).join();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(15);
        assertThat(store.states).containsOnlyKeys("kurz:rl:api:key-1");
    }

    @Test
    void storeNeverAnswers_fallsBackToTheLocalBucketWithinTheTimeout_thenPausesTheStore() {
        MemoryBuckets store = new MemoryBuckets(clock);
        store.hang = true;
        SharedBuckets shared = new SharedBuckets(store, Duration.ofMillis(100), Duration.ofSeconds(2), nanos::get);
        Limiter l = Limiter.shared("api", Rate.parse("2/min"), clock, shared);

        long start = System.nanoTime();
        Decision d = l.acquire("k", 1).join();
        assertThat(d.allowed()).isTrue();
        assertThat(d.remaining()).isEqualTo(1); // counted locally
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(90L, 2_000L);
        assertThat(shared.paused()).isTrue();

        // Paused: the store is not asked again, and the local bucket keeps counting.
        start = System.nanoTime();
        assertThat(l.acquire("k", 1).join().allowed()).isTrue();
        assertThat(l.acquire("k", 1).join().allowed()).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(90L);
        assertThat(store.calls.get()).isEqualTo(1);

        // After the pause the store is tried again.
        store.hang = false;
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(shared.paused()).isFalse();
        assertThat(l.acquire("k", 1).join().remaining()).isEqualTo(1); // the shared bucket, untouched so far
        assertThat(store.calls.get()).isGreaterThan(1);
    }
}

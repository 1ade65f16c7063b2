package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.config.Rate;
import dev.kurz.ratelimit.Decision;
import dev.kurz.ratelimit.Limiter;
import dev.kurz.ratelimit.SharedBuckets;
import dev.kurz.storage.redis.RedisBuckets;
import dev.kurz.testing.FreezableRedis;
import dev.kurz.testing.TestServers;
import io.github.bucket4j.TimeMeter;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bucket4j's distributed buckets over the Vert.x Redis client, against a real Redis. */
class RedisBucketsTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private SharedBuckets shared(String url, Duration timeout) {
        RedisAPI api = RedisAPI.api(Redis.createClient(vertx,
                new io.vertx.redis.client.RedisOptions().setConnectionString(url).setMaxPoolSize(16).setMaxPoolWaiting(1024)));
        return new SharedBuckets(new RedisBuckets(api, TimeMeter.SYSTEM_MILLISECONDS), timeout, Duration.ofSeconds(2));
    }

    @Test
    void twoNodes_concurrentAcquires_neverExceedTheSharedQuota() {
        String url = TestServers.redisUrl();
        String key = "k-" + UUID.randomUUID();
        Limiter a = Limiter.shared("test", Rate.parse("50/h"), InstantSource.system(), shared(url, Duration.ofSeconds(5)));
        Limiter b = Limiter.shared("test", Rate.parse("50/h"), InstantSource.system(), shared(url, Duration.ofSeconds(5)));
        List<CompletableFuture<Decision>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(a.acquire(key, 1));
            all.add(b.acquire(key, 1));
        }
        long allowed = all.stream().map(CompletableFuture::join).filter(Decision::allowed).count();
        assertThat(allowed).isEqualTo(50);
        Decision next = b.acquire(key, 1).join();
        assertThat(next.allowed()).isFalse();
        assertThat(next.retryAfterSeconds()).isBetween(1L, 72L); // one token per 72 s
    }

    @Test
    void oneNode_200ConcurrentCallsOnOneKey_stayWithinTheDeadlineAndExact() throws Exception {
        SharedBuckets shared = shared(TestServers.redisUrl(), Duration.ofMillis(150));
        Limiter l = Limiter.shared("test", Rate.parse("100/h"), InstantSource.system(), shared);
        for (int i = 0; i < 3 && (i == 0 || shared.paused()); i++) { // the first call opens connections: may overrun
            if (shared.paused()) Thread.sleep(2_100);
            l.acquire("warm-" + UUID.randomUUID(), 1).join();
        }
        assertThat(shared.paused()).isFalse();
        String key = "hot-" + UUID.randomUUID();
        List<CompletableFuture<Decision>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) all.add(l.acquire(key, 1));
        long allowed = all.stream().map(CompletableFuture::join).filter(Decision::allowed).count();
        assertThat(shared.paused()).as("no call overran the deadline (batching, not 200 racing compare-and-swaps)").isFalse();
        assertThat(allowed).isEqualTo(100);
    }

    @Test
    void state_expiresInRedis_onceTheBucketWouldBeFullAgain() throws Exception {
        String url = TestServers.redisUrl();
        String key = "ttl-" + UUID.randomUUID();
        Limiter l = Limiter.shared("test", Rate.parse("10/min"), InstantSource.system(), shared(url, Duration.ofSeconds(5)));
        assertThat(l.acquire(key, 1).join().allowed()).isTrue();
        RedisAPI api = RedisAPI.api(Redis.createClient(vertx, url));
        long ttl = api.pttl("kurz:rl:test:" + key).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toLong();
        assertThat(ttl).isBetween(1_000L, 16_000L); // 6 s to refill one token + 10 s kept
    }

    @Test
    void frozenRedis_acquireFallsBackToTheLocalBucketWithinTheTimeout() {
        try (FreezableRedis redis = new FreezableRedis()) {
            Limiter l = Limiter.shared("test", Rate.parse("3/min"), InstantSource.system(), shared(redis.url(), Duration.ofMillis(150)));
            assertThat(l.acquire("frozen", 1).join().remaining()).isEqualTo(2); // Redis answers
            redis.freeze();
            long start = System.nanoTime();
            Decision d = l.acquire("frozen", 1).orTimeout(5, TimeUnit.SECONDS).join();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(2); // the local bucket, fresh
            assertThat(ms).isBetween(100L, 1_500L);
            start = System.nanoTime();
            for (int i = 0; i < 10; i++) l.acquire("frozen", 1).orTimeout(5, TimeUnit.SECONDS).join();
            assertThat((System.nanoTime() - start) / 1_000_000).as("paused: no more waits").isLessThan(100L);
        }
    }
}

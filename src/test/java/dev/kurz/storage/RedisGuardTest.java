package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.storage.redis.RedisGuard;
import dev.kurz.testing.FreezableRedis;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The deadline and breaker in front of a real Redis that the test freezes with SIGSTOP. */
class RedisGuardTest {
    @Test
    void frozenRedis_commandsTimeOut_thenFailFast_andAfterTheThawGoThroughAgain() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (FreezableRedis redis = new FreezableRedis(); RedisGuard guard = new RedisGuard(Duration.ofMillis(150), Duration.ofMillis(500))) {
            RedisAPI api = RedisAPI.api(Redis.createClient(vertx, redis.url()));
            assertThat(guard.callPatiently(() -> api.ping(List.of())).get(2, TimeUnit.SECONDS).toString()).isEqualTo("PONG"); // connected
            assertThat(guard.call(() -> api.ping(List.of())).get(2, TimeUnit.SECONDS).toString()).isEqualTo("PONG");

            redis.freeze();
            long started = System.nanoTime();
            List<CompletableFuture<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) calls.add(guard.call(() -> api.ping(List.of()))); // with the success before: 10 of 11 fail
            for (CompletableFuture<?> f : calls) {
                assertThat(f).failsWithin(Duration.ofSeconds(1)).withThrowableThat().havingRootCause().isInstanceOf(TimeoutException.class);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("each given up after its deadline").isLessThan(600);
            assertThat(guard.usable()).isFalse();
            long start = System.nanoTime();
            assertThat(guard.call(() -> api.ping(List.of()))).isCompletedExceptionally()
                    .failsWithin(Duration.ZERO).withThrowableThat().havingRootCause().isInstanceOf(CallNotPermittedException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("no network while open").isLessThan(50);

            redis.thaw();
            Thread.sleep(600); // past the open period: trial commands may pass
            for (int i = 0; i < 2; i++) guard.call(() -> api.ping(List.of())).get(2, TimeUnit.SECONDS);
            assertThat(guard.closed()).isTrue();
            redis.freeze();
            assertThat(guard.callPatiently(() -> api.ping(List.of()))).as("invalidations wait up to 1 s, past the breaker")
                    .failsWithin(Duration.ofSeconds(2)).withThrowableThat().havingRootCause().isInstanceOf(TimeoutException.class);
            assertThat(guard.closed()).as("and do not count").isTrue();
            redis.thaw();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}

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
            assertThat(guard.call(() -> api.ping(List.of())).get(2, TimeUnit.SECONDS).toString()).isEqualTo("PONG");

            redis.freeze();
            for (int i = 0; i < 2; i++) { // with the one success before: 2 failures of 3 calls open the breaker
                long start = System.nanoTime();
                CompletableFuture<?> f = guard.call(() -> api.ping(List.of()));
                assertThat(f).failsWithin(Duration.ofSeconds(1)).withThrowableThat().havingRootCause().isInstanceOf(TimeoutException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(400);
            }
            assertThat(guard.usable()).isFalse();
            long start = System.nanoTime();
            assertThat(guard.call(() -> api.ping(List.of()))).isCompletedExceptionally()
                    .failsWithin(Duration.ZERO).withThrowableThat().havingRootCause().isInstanceOf(CallNotPermittedException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("no network while open").isLessThan(50);

            redis.thaw();
            Thread.sleep(600); // past the open period: trial commands may pass
            for (int i = 0; i < 2; i++) guard.call(() -> api.ping(List.of())).get(2, TimeUnit.SECONDS);
            assertThat(guard.closed()).isTrue();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}

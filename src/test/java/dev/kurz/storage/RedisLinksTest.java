package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.redirect.Target;
import dev.kurz.storage.redis.RedisLinks;
import dev.kurz.testing.TestServers;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Redis adapter against a real Redis server. */
class RedisLinksTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void putThenGet_roundTripsTheTarget_unknownIsNull() throws Exception {
        try (RedisLinks r = new RedisLinks(vertx, TestServers.redisUrl(), Duration.ofMinutes(1))) {
            Target t = new Target(42, "rt-slug", "https://example.com/a|b?c=1", 308, false, 1234L, 9);
            r.put(t);
            long deadline = System.currentTimeMillis() + 2000;
            Target got = null;
            while (got == null && System.currentTimeMillis() < deadline) got = r.get("rt-slug").join();
            assertThat(got).isEqualTo(t);
            assertThat(r.get("rt-unknown").join()).isNull();
        }
    }

    @Test
    void changed_reachesEverySubscriber_andEvictsSharedEntryBeforeReturning() throws Exception {
        String url = TestServers.redisUrl();
        try (RedisLinks one = new RedisLinks(vertx, url, Duration.ofMinutes(1));
             RedisLinks two = new RedisLinks(vertx, url, Duration.ofMinutes(1))) {
            List<String> seenByOne = new CopyOnWriteArrayList<>();
            List<String> seenByTwo = new CopyOnWriteArrayList<>();
            one.subscribe(seenByOne::add, () -> {}).await(5, TimeUnit.SECONDS);
            two.subscribe(seenByTwo::add, () -> {}).await(5, TimeUnit.SECONDS);
            one.put(new Target(1, "ch-slug", "https://e.com", 302, true, Target.NEVER, 0));
            Thread.sleep(100);
            one.changed("ch-slug");
            assertThat(one.get("ch-slug").join()).isNull();
            long deadline = System.currentTimeMillis() + 2000;
            while ((seenByTwo.size() < 2 || seenByOne.size() < 2) && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(seenByTwo).containsExactly("ch-slug", "ch-slug"); // immediate and delayed second delete
            assertThat(seenByOne).containsExactly("ch-slug", "ch-slug");
        }
    }

    @Test
    void changedAll_makesEveryNodeForgetEveryLink_withoutTouchingSlugs() throws Exception {
        String url = TestServers.redisUrl();
        try (RedisLinks one = new RedisLinks(vertx, url, Duration.ofMinutes(1));
             RedisLinks two = new RedisLinks(vertx, url, Duration.ofMinutes(1))) {
            List<String> slugs = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger cleared = new java.util.concurrent.atomic.AtomicInteger();
            one.subscribe(slugs::add, cleared::incrementAndGet).await(5, TimeUnit.SECONDS);
            two.subscribe(slugs::add, cleared::incrementAndGet).await(5, TimeUnit.SECONDS);
            one.changedAll();
            long deadline = System.currentTimeMillis() + 2000;
            while (cleared.get() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(cleared.get()).isEqualTo(2);
            assertThat(slugs).isEmpty();
        }
    }

    @Test
    void get_whenRedisIsUnreachable_fallsBackToNull() {
        try (RedisLinks r = new RedisLinks(vertx, "redis://127.0.0.1:" + TestServers.freePort(), Duration.ofMinutes(1))) {
            assertThat(r.get("anything").join()).isNull();
            assertThat(r.ping()).failsWithin(Duration.ofSeconds(10));
        }
    }
}

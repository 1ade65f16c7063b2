package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kurz.analytics.VisitorHasher;
import dev.kurz.storage.redis.RedisGuard;
import dev.kurz.storage.redis.RedisSalts;
import dev.kurz.testing.FreezableRedis;
import dev.kurz.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The shared visitor salt against a real Redis that the test freezes with SIGSTOP across a UTC
 * midnight (a clock moved by hand): choosing a variant on an event loop never waits for Redis.
 */
class RedisSaltsTest {
    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private static final String IP = "203.0.113.9";
    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T23:00:00Z"));
    private final List<RedisSalts> started = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final ch.qos.logback.classic.Logger saltLog =
            ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(RedisSalts.class);

    RedisSaltsTest() {
        logged.start();
        saltLog.addAppender(logged);
    }

    @AfterEach
    void close() throws Exception {
        saltLog.detachAppender(logged);
        started.forEach(RedisSalts::close);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** One node's view: its own connection and guard, as another process would have. */
    private record Node(RedisSalts salts, VisitorHasher hasher, RedisAPI api) {}

    private Node node(FreezableRedis redis) {
        RedisAPI api = RedisAPI.api(Redis.createClient(vertx, redis.url()));
        // As Kurz starts it; the hour between refreshes is longer than the test, which refreshes by hand.
        RedisSalts salts = new RedisSalts(api, new RedisGuard(Duration.ofSeconds(1), Duration.ofSeconds(5)), clock).start(Duration.ofHours(1));
        started.add(salts);
        return new Node(salts, new VisitorHasher(clock, salts), api);
    }

    /** Runs {@code call} on a Vert.x event loop, as the redirect path does; returns its value and its time in ns. */
    private long[] onEventLoop(java.util.function.LongSupplier call) throws Exception {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> {
            long start = System.nanoTime();
            long value = call.getAsLong();
            done.complete(new long[] {value, System.nanoTime() - start});
        });
        return done.get(10, TimeUnit.SECONDS);
    }

    private static void answeredFromMemory(long[]... calls) {
        for (long[] call : calls) assertThat(TimeUnit.NANOSECONDS.toMillis(call[1])).as("answered from memory, Redis frozen").isLessThan(50);
    }

    @Test
    void frozenRedisAcrossMidnight_seedAndVisitorAnswerFromMemory_andTwoNodesAgreeOnTheNewDay() throws Exception {
        try (FreezableRedis redis = new FreezableRedis()) {
            Node one = node(redis);
            Node two = node(redis);
            long yesterday = one.hasher().seed(IP, UA);
            assertThat(two.hasher().seed(IP, UA)).isEqualTo(yesterday);

            redis.freeze();
            clock.advance(Duration.ofHours(1)); // 2026-03-02T00:00:00Z
            long[] seedOne = onEventLoop(() -> one.hasher().seed(IP, UA));
            long[] visitorOne = onEventLoop(() -> one.hasher().visitor(IP, UA));
            long[] seedTwo = onEventLoop(() -> two.hasher().seed(IP, UA));
            long[] visitorTwo = onEventLoop(() -> two.hasher().visitor(IP, UA));
            answeredFromMemory(seedOne, visitorOne, seedTwo, visitorTwo);
            assertThat(seedOne[0]).as("a new day, a new seed").isNotEqualTo(yesterday);
            assertThat(seedTwo[0]).as("both nodes loaded the new day's salt from Redis the day before").isEqualTo(seedOne[0]);
            assertThat(visitorTwo[0]).isEqualTo(visitorOne[0]);
            assertThat(logged.list).as("no node fell back to a salt of its own").isEmpty();
            redis.thaw();
        }
    }

    @Test
    void redisFrozenSinceTheDayBefore_newDayTakesTheNodesOwnSaltAtOnce_loggedOnce_andNodesAgreeWhenRedisAnswers() throws Exception {
        try (FreezableRedis redis = new FreezableRedis()) {
            Node one = node(redis);
            Node two = node(redis);
            redis.freeze();
            clock.advance(Duration.ofHours(25)); // 2026-03-03T00:00:00Z: never loaded
            long[] seedOne = onEventLoop(() -> one.hasher().seed(IP, UA));
            long[] seedTwo = onEventLoop(() -> two.hasher().seed(IP, UA));
            answeredFromMemory(seedOne, seedTwo, onEventLoop(() -> one.hasher().visitor(IP, UA)));
            for (int i = 0; i < 100; i++) assertThat(one.hasher().seed(IP, UA)).as("the same for the rest of the outage").isEqualTo(seedOne[0]);
            assertThat(seedTwo[0]).as("each node's own salt").isNotEqualTo(seedOne[0]);
            assertThat(logged.list.stream().filter(e -> e.getFormattedMessage().contains("2026-03-03 not loaded from Redis")))
                    .as("once per node and day").hasSize(2);

            redis.thaw();
            // The background task's next run (or the one the fallback asked for):
            one.salts().refresh().get(5, TimeUnit.SECONDS);
            two.salts().refresh().get(5, TimeUnit.SECONDS);
            assertThat(two.hasher().seed(IP, UA)).as("both nodes re-keyed with the day's salt in Redis").isEqualTo(one.hasher().seed(IP, UA));
            assertThat(two.hasher().visitor(IP, UA)).isEqualTo(one.hasher().visitor(IP, UA));
        }
    }

    @Test
    void start_createsTomorrowsSaltInRedisADayAhead_expiringAtTheEndOfTheDayAfter() throws Exception {
        try (FreezableRedis redis = new FreezableRedis()) {
            Node one = node(redis); // 2026-03-01T23:00:00Z
            long today = one.api().ttl("kurz:visitor-salt:2026-03-01").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toLong();
            long tomorrow = one.api().ttl("kurz:visitor-salt:2026-03-02").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toLong();
            assertThat(today).as("until 2026-03-03T00:00Z").isBetween(Duration.ofHours(25).toSeconds() - 60, Duration.ofHours(25).toSeconds());
            assertThat(tomorrow).as("until 2026-03-04T00:00Z").isBetween(Duration.ofHours(49).toSeconds() - 60, Duration.ofHours(49).toSeconds());
            Node two = node(redis); // a node started later reads the same salts
            clock.advance(Duration.ofHours(1));
            assertThat(two.hasher().seed(IP, UA)).isEqualTo(one.hasher().seed(IP, UA));
        }
    }
}

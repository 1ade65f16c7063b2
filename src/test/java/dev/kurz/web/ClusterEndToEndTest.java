package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two nodes on one PostgreSQL and one Redis, both real, talking HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterEndToEndTest {
    private Node a;
    private Node b;

    @BeforeAll
    void start() {
        String db = TestServers.freshPostgresDatabase();
        String redis = TestServers.redisUrl();
        a = Node.clustered(db, redis, MutableClock.systemNow());
        b = Node.clustered(db, redis, MutableClock.systemNow());
    }

    @AfterAll
    void stop() {
        a.close();
        b.close();
    }

    /** Polls until the answer satisfies the condition; returns the milliseconds it took. */
    private static long within(long limitMillis, Api api, String path, Predicate<Resp> ok) throws InterruptedException {
        long start = System.nanoTime();
        Resp last;
        do {
            last = api.get(path);
            if (ok.test(last)) return (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(20);
        } while ((System.nanoTime() - start) / 1_000_000 < limitMillis);
        throw new AssertionError("not within " + limitMillis + " ms; last answer " + last.status() + " " + last.header("location"));
    }

    @Test
    void editsAndDeletes_onOneNode_reachTheOtherWithinOneSecond() throws InterruptedException {
        a.api.create(Map.of("url", "https://example.com/v1", "slug", "shared-edit"));
        assertThat(b.api.get("/shared-edit").header("location")).isEqualTo("https://example.com/v1"); // warm B's cache
        assertThat(b.api.get("/shared-edit").header("location")).isEqualTo("https://example.com/v1");

        a.api.patch("/api/v1/links/shared-edit", new JsonObject().put("url", "https://example.com/v2"));
        assertThat(a.api.get("/shared-edit").header("location")).isEqualTo("https://example.com/v2"); // at once on A
        within(1000, b.api, "/shared-edit", r -> "https://example.com/v2".equals(r.header("location")));

        a.api.delete("/api/v1/links/shared-edit");
        assertThat(a.api.get("/shared-edit").status()).isEqualTo(404);
        within(1000, b.api, "/shared-edit", r -> r.status() == 404);
    }

    @Test
    void adminBlock_onOneNode_stopsTheOthersRedirectsWithinOneSecond_andUnblockRestoresThem() throws InterruptedException {
        a.api.create(Map.of("url", "https://example.com/held", "slug", "shared-block"));
        assertThat(b.api.get("/shared-block").status()).isEqualTo(302); // warm B's cache (and Redis)
        assertThat(a.api.post("/api/v1/links/shared-block/block", new JsonObject().put("reason", "phishing")).status()).isEqualTo(200);
        assertThat(a.api.get("/shared-block").status()).isEqualTo(410);
        within(1000, b.api, "/shared-block", r -> r.status() == 410);
        assertThat(b.api.get("/api/v1/links/shared-block").json().getJsonObject("blocked").getString("source")).isEqualTo("admin");

        assertThat(a.api.delete("/api/v1/links/shared-block/block").status()).isEqualTo(200);
        within(1000, b.api, "/shared-block", r -> r.status() == 302);
    }

    @Test
    void create_onOneNode_clearsTheOthersNegativeCacheWithinOneSecond() throws InterruptedException {
        assertThat(b.api.get("/late-arrival").status()).isEqualTo(404); // B caches the miss
        a.api.create(Map.of("url", "https://example.com/late", "slug", "late-arrival"));
        within(1000, b.api, "/late-arrival", r -> r.status() == 302);
    }

    @Test
    void concurrentCreates_overTwoNodes_giveDistinctSlugs() {
        int n = 2000;
        Semaphore inFlight = new Semaphore(64);
        List<CompletableFuture<Resp>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Api api = i % 2 == 0 ? a.api : b.api;
            inFlight.acquireUninterruptibly();
            all.add(api.postAsync("/api/v1/links", new JsonObject().put("url", "https://example.com/bulk/" + i))
                    .whenComplete((r, e) -> inFlight.release()));
        }
        Set<String> slugs = new HashSet<>();
        for (CompletableFuture<Resp> f : all) {
            Resp r = f.join();
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            slugs.add(r.json().getString("slug"));
        }
        assertThat(slugs).hasSize(n);
    }

    @Test
    void maxClicks_isExactAcrossNodes() {
        a.api.create(Map.of("url", "https://example.com/limited", "slug", "shared-limit", "maxClicks", 20));
        List<CompletableFuture<Resp>> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) all.add((i % 2 == 0 ? a.api : b.api).getAsync("/shared-limit"));
        long redirects = all.stream().map(CompletableFuture::join).filter(r -> r.status() == 302).count();
        assertThat(redirects).isEqualTo(20);
        assertThat(b.api.get("/api/v1/links/shared-limit").json().getLong("clicks")).isEqualTo(20);
    }

    @Test
    void readiness_reportsDatabaseAndRedis() {
        JsonObject checks = a.api.get("/health/ready").json().getJsonObject("checks");
        assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("UP");
        assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("UP");
    }
}

package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.FreezableRedis;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shared rate limits: two nodes on one PostgreSQL and one Redis, both real, talking HTTP. */
class RateLimitClusterEndToEndTest {
    // One clock for both nodes: Bucket4j's shared buckets refill by the clock of the node that writes.
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));

    @Test
    void apiLimit_requestsSplitOverTwoNodes_hit429AtTheSharedTotal() {
        String db = TestServers.freshPostgresDatabase();
        // A generous Redis deadline: on a loaded test machine the first calls can take longer than the default 150 ms.
        Map<String, String> limits = Map.of("KURZ_RATELIMIT_API", "20/min", "KURZ_RATELIMIT_API_IP", "off", "KURZ_RATELIMIT_REDIS_TIMEOUT", "2s");
        try (Node a = Node.clustered(db, TestServers.redisUrl(), clock, limits);
             Node b = Node.clustered(db, TestServers.redisUrl(), clock, limits)) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) statuses.add((i % 2 == 0 ? a : b).api.get("/api/v1/links").status());
            assertThat(statuses.subList(0, 20)).containsOnly(200);
            assertThat(statuses.subList(20, 30)).containsOnly(429);
            Resp refused = b.api.get("/api/v1/links");
            refused.assertProblem(429, "rate-limited");
            assertThat(refused.header("retry-after")).isEqualTo("3");
            assertThat(refused.header("ratelimit")).isEqualTo("\"api\";r=0;t=3");
        }
    }

    @Test
    void wrongKeys_countedAcrossNodes() {
        String db = TestServers.freshPostgresDatabase();
        Map<String, String> limits = Map.of("KURZ_RATELIMIT_AUTH_FAILURES", "4/min", "KURZ_RATELIMIT_REDIS_TIMEOUT", "2s");
        try (Node a = Node.clustered(db, TestServers.redisUrl(), clock, limits);
             Node b = Node.clustered(db, TestServers.redisUrl(), clock, limits)) {
            Api wrongA = a.api.withKey("kurz_cluster_wrong_guess_00000");
            Api wrongB = b.api.withKey("kurz_cluster_wrong_guess_00001");
            wrongA.get("/api/v1/links").assertProblem(401, "unauthorized");
            wrongB.get("/api/v1/links").assertProblem(401, "unauthorized");
            wrongA.get("/api/v1/links").assertProblem(401, "unauthorized");
            Resp fourth = wrongB.get("/api/v1/links");
            fourth.assertProblem(401, "unauthorized");
            assertThat(fourth.header("ratelimit")).startsWith("\"auth-failures\";r=0;");
            // B saw the last token go; A learns it from the shared count on its next wrong key.
            wrongB.get("/api/v1/links").assertProblem(429, "rate-limited");
            b.api.get("/api/v1/links").assertProblem(429, "rate-limited");
            wrongA.get("/api/v1/links").assertProblem(429, "rate-limited");
            a.api.get("/api/v1/links").assertProblem(429, "rate-limited");
        }
    }

    @Test
    void frozenRedis_apiCallsStillAnswerPromptly_fromThisNodesBuckets() {
        String db = TestServers.freshPostgresDatabase();
        try (FreezableRedis redis = new FreezableRedis()) {
            Node n = Node.clustered(db, redis.url(), clock, Map.of("KURZ_RATELIMIT_API", "100/min", "KURZ_RATELIMIT_REDIS_TIMEOUT", "400ms"));
            try {
                n.api.create(Map.of("url", "https://example.com/frozen", "slug", "frozen-1"));
                assertThat(n.api.get("/api/v1/links/frozen-1").header("ratelimit")).startsWith("\"api\";r=98;");
                redis.freeze();
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    Resp r = n.api.get("/api/v1/links/frozen-1");
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    assertThat(r.status()).as("answer %d while Redis is frozen", i).isEqualTo(200);
                    assertThat(ms).as("answer %d took", i).isLessThan(1_000);
                    assertThat(r.header("ratelimit")).startsWith("\"api\";r="); // counted by the node's own bucket
                }
                assertThat(n.api.patch("/api/v1/links/frozen-1", new JsonObject().put("title", "still works")).status()).isEqualTo(200);
            } finally {
                redis.thaw();
                n.close();
            }
        }
    }
}

package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two nodes on one PostgreSQL and one Redis: a domain or a rule edited on one applies on the other within a second. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmartLinksClusterEndToEndTest {
    private Node a;
    private Node b;
    private final SmartLinksContract httpA = new Contract(() -> a);
    private final SmartLinksContract httpB = new Contract(() -> b);

    @BeforeAll
    void start() {
        String db = TestServers.freshPostgresDatabase();
        String redis = TestServers.redisUrl();
        a = Node.clustered(db, redis, MutableClock.systemNow(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1"));
        b = Node.clustered(db, redis, MutableClock.systemNow(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1"));
    }

    @AfterAll
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void domainAndRuleEdits_onOneNode_applyOnTheOtherWithinOneSecond() throws InterruptedException {
        assertThat(a.api.post("/api/v1/domains", new JsonObject().put("host", "go.cluster.test")).status()).isEqualTo(201);
        within(1000, () -> httpB.get("/", "go.cluster.test"), r -> r.status() != 302); // known on B, no root redirect yet
        assertThat(a.api.patch("/api/v1/domains/go.cluster.test", new JsonObject().put("rootRedirect", "https://example.com/root")).status())
                .isEqualTo(200);
        long domainMillis = within(1000, () -> httpB.get("/", "go.cluster.test"), r -> "https://example.com/root".equals(r.location()));

        a.api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/all").put("slug", "geo").put("domain", "go.cluster.test"));
        assertThat(httpB.get("/geo", "go.cluster.test", "X-Forwarded-For", SmartLinksContract.GERMAN_IP).location())
                .isEqualTo("https://example.com/all"); // cached on B
        a.api.patch("/api/v1/links/geo?domain=go.cluster.test", new JsonObject().put("rules", new JsonArray()
                .add(SmartLinksContract.rule(new JsonObject().put("country", new JsonArray().add("DE")), "https://example.com/de"))));
        long ruleMillis = within(1000, () -> httpB.http("GET", "/geo", "go.cluster.test", null, "X-Forwarded-For", SmartLinksContract.GERMAN_IP,
                "User-Agent", SmartLinksContract.CHROME_WINDOWS), r -> "https://example.com/de".equals(r.location()));
        assertThat(domainMillis).isLessThan(1000);
        assertThat(ruleMillis).isLessThan(1000);
    }

    private static long within(long limitMillis, java.util.function.Supplier<SmartLinksContract.Http> call, Predicate<SmartLinksContract.Http> ok)
            throws InterruptedException {
        long start = System.nanoTime();
        SmartLinksContract.Http last;
        do {
            last = call.get();
            if (ok.test(last)) return (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(20);
        } while ((System.nanoTime() - start) / 1_000_000 < limitMillis);
        throw new AssertionError("not within " + limitMillis + " ms; last answer " + last.status() + " " + last.location());
    }

    /** The contract's HTTP helpers against one node. */
    private static final class Contract extends SmartLinksContract {
        private final java.util.function.Supplier<Node> node;

        Contract(java.util.function.Supplier<Node> node) {
            this.node = node;
        }

        @Override
        Node start() {
            throw new UnsupportedOperationException("HTTP helpers only: the cluster test starts its nodes");
        }

        @Override
        Node node() {
            return node.get();
        }
    }
}

package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.FreezablePostgres;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL faults reproduced for real against a running node (issue 9): a frozen server
 * (SIGSTOP), connections killed under the pool, a table lock held by another session. Every
 * database-bound request answers 503 problem+json within KURZ_DB_TIMEOUT, never hangs or 500s.
 */
class DatabaseOutageEndToEndTest {

    @Test
    void frozenPostgres_apiCallClickLimitedAndColdRedirects_answer503WithinTheDeadline() throws Exception {
        try (FreezablePostgres pg = new FreezablePostgres()) {
            Node n = Node.clustered(pg.url(), null, MutableClock.systemNow());
            try {
                n.api.create(Map.of("url", "https://example.com/limited", "slug", "limited", "maxClicks", 100));
                n.api.create(Map.of("url", "https://example.com/plain", "slug", "plain"));
                assertThat(n.api.get("/limited").status()).isEqualTo(302); // cached now; each redirect still counts in the database

                pg.freeze();
                long start = System.nanoTime();
                CompletableFuture<Resp> apiCall = n.api.getAsync("/api/v1/links/plain");
                CompletableFuture<Resp> limited = n.api.getAsync("/limited");
                // Cold slugs (never redirected, and unknown ones) load through the batched reads: same deadline.
                List<CompletableFuture<Resp>> cold = new ArrayList<>();
                cold.add(n.api.getAsync("/plain"));
                for (int i = 0; i < 20; i++) cold.add(n.api.getAsync("/cold" + i));
                Resp api = apiCall.get(20, TimeUnit.SECONDS);
                long apiMs = elapsedMs(start);
                Resp redirect = limited.get(20, TimeUnit.SECONDS);
                long redirectMs = elapsedMs(start);
                List<Resp> colds = new ArrayList<>();
                for (CompletableFuture<Resp> f : cold) colds.add(f.get(20, TimeUnit.SECONDS));
                long coldMs = elapsedMs(start);

                api.assertProblem(503, "unavailable");
                redirect.assertProblem(503, "unavailable"); // not redirected without being counted
                colds.forEach(r -> r.assertProblem(503, "unavailable"));
                assertThat(apiMs).as("API call answered after").isBetween(4_000L, 6_500L); // KURZ_DB_TIMEOUT defaults to 5 s
                assertThat(redirectMs).as("click-limited redirect answered after").isBetween(4_000L, 6_500L);
                assertThat(coldMs).as("cold-slug redirects answered after").isBetween(4_000L, 6_500L);

                long readyStart = System.nanoTime();
                Resp ready = n.api.get("/health/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(elapsedMs(readyStart)).isLessThan(3_000);
            } finally {
                pg.thaw();
            }
            try {
                // Back: the counting redirect works again once the stuck connections are replaced.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                int status;
                do {
                    status = n.api.get("/limited").status();
                } while (status != 302 && System.nanoTime() < deadline && sleep(100));
                assertThat(status).isEqualTo(302);
                assertThat(n.api.get("/api/v1/links/plain").status()).isEqualTo(200);
                // The cold slugs whose loads failed are not stuck: they load again, and the unknown ones are 404s.
                assertThat(n.api.get("/plain").status()).isEqualTo(302);
                assertThat(n.api.get("/cold0").status()).isEqualTo(404);
            } finally {
                n.close();
            }
        }
    }

    @Test
    void terminatedConnections_answer503NotA500_thenRecover() throws Exception {
        String db = TestServers.freshPostgresDatabase();
        try (Node n = Node.clustered(db, null, MutableClock.systemNow(), Map.of("KURZ_DB_POOL_SIZE", "2"));
             Connection admin = connect(db)) {
            n.api.create(Map.of("url", "https://example.com/t", "slug", "terminated"));
            List<Integer> afterKill = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                n.api.get("/api/v1/links/terminated"); // a connection used just now: the pool hands it out again without a check
                try (Statement s = admin.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
                }
                Resp r = n.api.get("/api/v1/links/terminated");
                afterKill.add(r.status());
                if (r.status() == 503) r.assertProblem(503, "unavailable");
            }
            assertThat(afterKill).as("answers right after the connections were killed").isSubsetOf(200, 503).contains(503);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int status;
            do {
                status = n.api.get("/api/v1/links/terminated").status();
            } while (status != 200 && System.nanoTime() < deadline && sleep(50));
            assertThat(status).isEqualTo(200);
        }
    }

    @Test
    void tableLock_readinessGoesDownWithinTheProbeTimeout_andUpOnceReleased() throws Exception {
        String db = TestServers.freshPostgresDatabase();
        try (Node n = Node.clustered(db, null, MutableClock.systemNow()); Connection lock = connect(db)) {
            assertThat(n.api.get("/health/ready").status()).isEqualTo(200);
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE links IN ACCESS EXCLUSIVE MODE");
            }
            long start = System.nanoTime();
            Resp ready = n.api.get("/health/ready");
            long ms = elapsedMs(start);
            assertThat(ready.status()).as(ready.toString()).isEqualTo(503);
            assertThat(ready.json().getString("status")).isEqualTo("DOWN");
            assertThat(ready.json().getJsonObject("checks").getJsonObject("database").getString("status")).isEqualTo("DOWN");
            assertThat(ms).as("readiness answered after").isLessThan(2_500);
            lock.rollback();
            Resp again = n.api.get("/health/ready");
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.json().getString("status")).isEqualTo("UP");
        }
    }

    private static Connection connect(String url) throws Exception {
        URI u = URI.create(url);
        String[] user = u.getUserInfo().split(":", 2);
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user[0],
                user.length > 1 ? user[1] : null);
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }
}

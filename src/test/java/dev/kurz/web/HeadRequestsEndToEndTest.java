package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HEAD requests (link previews, uptime monitors) are answered like GETs but are not clicks: a
 * link's {@code clicks} and its stats agree, on both engines, also after SQLite folds its click log.
 */
class HeadRequestsEndToEndTest {
    static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    static final int GETS = 7;
    static final int HEADS = 4;

    @TempDir
    Path data;

    @Test
    void headRequests_areNotClicks_onSqlite_beforeAndAfterTheFold() throws Exception {
        try (Node node = Node.sqlite(data, Clock.systemUTC())) {
            traffic(node.api, "head-lite");
            assertCountsOnlyGets(node.api, "head-lite"); // in the click log, not folded yet
        }
        try (Node node = Node.sqlite(data, Clock.systemUTC())) {
            assertCountsOnlyGets(node.api, "head-lite"); // folded into the rollups and packs
        }
    }

    @Test
    void headRequests_areNotClicks_onPostgres() throws Exception {
        try (Node node = Node.clustered(TestServers.freshPostgresDatabase(), null, Clock.systemUTC())) {
            traffic(node.api, "head-pg");
            assertCountsOnlyGets(node.api, "head-pg");
        }
    }

    /** HEADs first, from a browser and a monitor, then GETs: once the last GET is counted, every HEAD has been through the pipeline. */
    private static void traffic(Api api, String slug) throws InterruptedException {
        api.create(Map.of("url", "https://example.com/" + slug, "slug", slug));
        Api anon = api.withKey(null);
        for (int i = 0; i < HEADS; i++) {
            assertThat(anon.head("/" + slug, "User-Agent", i % 2 == 0 ? FIREFOX : "UptimeRobot/2.0").status()).isEqualTo(302);
        }
        for (int i = 0; i < GETS; i++) {
            assertThat(anon.get("/" + slug, "User-Agent", AnalyticsEndToEndTest.CHROME).status()).isEqualTo(302);
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (totals(api, slug).getLong("clicks") < GETS || api.get("/api/v1/links/" + slug).json().getLong("clicks") < GETS) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("clicks not counted within 5 s");
            Thread.sleep(50);
        }
    }

    private static JsonObject totals(Api api, String slug) {
        return api.get("/api/v1/links/" + slug + "/stats").json().getJsonObject("totals");
    }

    private static long sum(JsonArray a) {
        return a.stream().mapToLong(o -> ((JsonObject) o).getLong("clicks")).sum();
    }

    private static void assertCountsOnlyGets(Api api, String slug) {
        assertThat(api.get("/api/v1/links/" + slug).json().getLong("clicks")).as("the link's clicks").isEqualTo(GETS);
        JsonObject s = api.get("/api/v1/links/" + slug + "/stats").json();
        JsonObject t = s.getJsonObject("totals");
        assertThat(t.getLong("clicks")).as("totals.clicks").isEqualTo(GETS);
        assertThat(t.getLong("humanClicks")).isEqualTo(GETS);
        assertThat(t.getLong("bots")).isZero();
        assertThat(t.getLong("uniqueVisitors")).isEqualTo(1);
        assertThat(sum(s.getJsonArray("series"))).isEqualTo(GETS);
        for (String b : new String[] {"countries", "referrers", "browsers", "os", "devices"}) {
            assertThat(sum(s.getJsonArray(b))).as(b).isEqualTo(GETS);
        }
        JsonObject all = api.get("/api/v1/stats").json();
        assertThat(all.getJsonObject("totals").getLong("clicks")).isEqualTo(GETS);
        assertThat(all.getJsonArray("topLinks").getJsonObject(0).getLong("clicks")).isEqualTo(GETS);
        assertThat(api.get("/api/v1/links/" + slug + "/clicks?limit=100").json().getJsonArray("items")).as("raw clicks").hasSize(GETS);
    }
}

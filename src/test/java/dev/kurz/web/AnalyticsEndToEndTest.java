package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Redirects with varied clients through a trusted proxy, then the stats API over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsEndToEndTest {
    static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    static final String SLACKBOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";

    @TempDir
    static Path data;
    private Node node;
    private Api api;

    @BeforeAll
    void start() throws InterruptedException {
        node = Node.sqlite(data, java.time.Clock.systemUTC(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1", "KURZ_STORE_IP", "anonymized"));
        api = node.api;
        api.create(Map.of("url", "https://example.com/analytics", "slug", "an-e2e"));
        Api anon = api.withKey(null);
        for (int i = 0; i < 5; i++) {
            assertThat(anon.get("/an-e2e", "User-Agent", CHROME, "X-Forwarded-For", "8.8.8.8", "Referer", "https://www.google.com/search?q=x").status()).isEqualTo(302);
        }
        for (int i = 0; i < 3; i++) {
            anon.get("/an-e2e", "User-Agent", IPHONE, "X-Forwarded-For", "203.0.113.9, 85.214.132.117", "Referer", "https://news.ycombinator.com/item?id=1");
        }
        anon.get("/an-e2e", "User-Agent", GOOGLEBOT);
        anon.get("/an-e2e", "User-Agent", GOOGLEBOT);
        anon.get("/an-e2e", "User-Agent", SLACKBOT);
        anon.head("/an-e2e", "User-Agent", CHROME, "X-Forwarded-For", "8.8.8.8");
        awaitClicks(11);
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private void awaitClicks(long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (api.get("/api/v1/links/an-e2e/stats").json().getJsonObject("totals").getLong("clicks") >= n) return;
            Thread.sleep(50);
        }
        throw new AssertionError("clicks not counted within 5 s");
    }

    private static Map<String, Long> values(JsonObject stats, String breakdown) {
        JsonArray a = stats.getJsonArray(breakdown);
        return a.stream().map(JsonObject.class::cast).collect(Collectors.toMap(o -> o.getString("value"), o -> o.getLong("clicks")));
    }

    @Test
    void linkStats_totalsAndBreakdownsAreRight() {
        JsonObject s = api.get("/api/v1/links/an-e2e/stats").json();
        JsonObject totals = s.getJsonObject("totals");
        assertThat(totals.getLong("clicks")).isEqualTo(11); // the HEAD is not a click
        assertThat(totals.getLong("bots")).isEqualTo(3); // Googlebot ×2, Slackbot
        assertThat(totals.getLong("humanClicks")).isEqualTo(8);
        assertThat(totals.getLong("uniqueVisitors")).isEqualTo(2);
        assertThat(totals.getLong("dropped")).isZero();
        assertThat(values(s, "countries")).containsEntry("US", 5L).containsEntry("DE", 3L).containsEntry("unknown", 3L);
        assertThat(values(s, "referrers")).containsEntry("google.com", 5L).containsEntry("news.ycombinator.com", 3L).containsEntry("direct", 3L);
        assertThat(values(s, "browsers")).containsEntry("Chrome", 5L).containsKey("Safari");
        assertThat(values(s, "os")).containsEntry("Windows", 5L).containsEntry("iOS", 3L);
        assertThat(values(s, "devices")).containsEntry("desktop", 5L).containsEntry("mobile", 3L).containsEntry("bot", 3L);
        assertThat(s.getJsonArray("series").stream().mapToLong(o -> ((JsonObject) o).getLong("clicks")).sum()).isEqualTo(11);
        assertThat(s.getString("interval")).isEqualTo("hour");
        assertThat(s.getJsonArray("series")).hasSizeBetween(168, 169);
    }

    @Test
    void linkClicksField_countsGetsNotHead_likeTheStats() {
        assertThat(api.get("/api/v1/links/an-e2e").json().getLong("clicks")).isEqualTo(11);
    }

    @Test
    void globalStats_includeTopLinks() {
        JsonObject s = api.get("/api/v1/stats?interval=day&tz=Europe/Berlin").json();
        assertThat(s.getJsonObject("totals").getLong("clicks")).isGreaterThanOrEqualTo(11);
        assertThat(s.getJsonArray("topLinks").getJsonObject(0).getString("slug")).isEqualTo("an-e2e");
        assertThat(s.getJsonArray("series").getJsonObject(0).getString("t")).matches(".*T00:00:00\\+0[12]:00");
    }

    @Test
    void rawClicks_jsonPagesAndCsv_withAnonymizedIps() {
        Resp page = api.get("/api/v1/links/an-e2e/clicks?limit=5");
        assertThat(page.status()).isEqualTo(200);
        JsonArray items = page.json().getJsonArray("items");
        assertThat(items).hasSize(5);
        String cursor = page.json().getString("nextCursor");
        assertThat(cursor).isNotNull();
        JsonArray rest = api.get("/api/v1/links/an-e2e/clicks?limit=100&cursor=" + cursor).json().getJsonArray("items");
        assertThat(items.size() + rest.size()).isEqualTo(11); // no HEAD
        assertThat(rest.stream().map(o -> ((JsonObject) o).getString("ip"))).contains("8.8.8.0", "85.214.132.0").doesNotContain("8.8.8.8");

        Resp csv = api.get("/api/v1/links/an-e2e/clicks?limit=100", "Accept", "text/csv");
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).isEqualTo("time,visitor,bot,country,browser,os,device,referrer_host,ip,user_agent,target");
        assertThat(lines).hasSize(12);
    }

    @Test
    void badQueries_are400() {
        for (String q : new String[] {"interval=week", "tz=Mars/Olympus", "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
                "from=yesterday", "interval=minute&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z"}) {
            Resp r = api.get("/api/v1/links/an-e2e/stats?" + q);
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.json().getString("type")).isEqualTo("urn:kurz:problem:bad-request");
        }
        assertThat(api.get("/api/v1/links/nope/stats").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/links/an-e2e/clicks?cursor=@@").status()).isEqualTo(400);
    }
}

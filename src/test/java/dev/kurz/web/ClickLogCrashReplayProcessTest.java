package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.KurzProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite keeps the clicks of the last minute only in the click log (ADR 0013); after a kill -9 the
 * next start rebuilds their rollups from it. A smart link's clicks must come back with the
 * destination each one was served, or the {@code targets} breakdown undercounts.
 */
class ClickLogCrashReplayProcessTest {
    private static final String KEY = "kurz_replay_test_key_0123456789ab";

    @TempDir
    Path data;

    private KurzProcess launch() {
        Map<String, String> env = Map.of(
                "KURZ_DATA_DIR", data.toString(),
                "KURZ_API_KEY", KEY,
                "KURZ_MANAGEMENT_PORT", "off",
                // No fold before the kill: every click of the test is in the log only.
                "KURZ_CLICK_COMPACT_INTERVAL", "1h");
        return KurzProcess.start(data, env, "run").awaitReady();
    }

    @Test
    void kill9BeforeTheFold_restart_targetsBreakdownEqualsTheClicksServed() throws Exception {
        Map<String, Long> served = new HashMap<>();
        int clicks = 0;
        try (KurzProcess k = launch()) {
            Api api = new Api(k.base(), KEY);
            api.create(Map.of("url", "https://example.com/else", "slug", "smart",
                    "rules", new JsonArray().add(SmartLinksContract.rule(
                            new JsonObject().put("query", new JsonObject().put("ref", "news")), "https://example.com/news")),
                    "variants", new JsonArray()
                            .add(new JsonObject().put("url", "https://example.com/a").put("weight", 50))
                            .add(new JsonObject().put("url", "https://example.com/b").put("weight", 50))));
            for (int i = 0; i < 60; i++) {
                // Each User-Agent is another visitor, so both variants are served; every third click matches the rule.
                String path = i % 3 == 0 ? "/smart?ref=news" : "/smart";
                Api.Resp r = api.get(path, "User-Agent", "Replay/" + i);
                assertThat(r.status()).isEqualTo(302);
                String target = switch (r.header("location")) {
                    case "https://example.com/news?ref=news" -> "rule:0";
                    case "https://example.com/a" -> "variant:0";
                    case "https://example.com/b" -> "variant:1";
                    default -> throw new AssertionError("unexpected destination " + r.header("location"));
                };
                served.merge(target, 1L, Long::sum);
                clicks++;
            }
            assertThat(served).containsKeys("rule:0", "variant:0", "variant:1");
            // Flushed to the log (stats read it), but not folded: then SIGKILL, no shutdown hook runs.
            long deadline = System.currentTimeMillis() + 10_000;
            while (targets(api).values().stream().mapToLong(Long::longValue).sum() < clicks && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(targets(api)).isEqualTo(served);
            k.process.destroyForcibly();
            assertThat(k.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        try (KurzProcess again = launch()) {
            Api api = new Api(again.base(), KEY);
            assertThat(again.output()).contains("folding " + clicks + " clicks written before the last stop");
            assertThat(api.get("/api/v1/links/smart/stats").json().getJsonObject("totals").getLong("clicks")).isEqualTo(clicks);
            assertThat(targets(api)).as("targets replayed from the log").isEqualTo(served);
            // The raw clicks say which destination each one was served, from the packs the replay wrote.
            JsonArray items = api.get("/api/v1/links/smart/clicks?limit=1000").json().getJsonArray("items");
            Map<String, Long> raw = new HashMap<>();
            for (Object o : items) raw.merge(((JsonObject) o).getString("target"), 1L, Long::sum);
            assertThat(raw).isEqualTo(served);
        }
    }

    private static Map<String, Long> targets(Api api) {
        Map<String, Long> out = new HashMap<>();
        for (Object o : api.get("/api/v1/links/smart/stats").json().getJsonArray("targets")) {
            JsonObject t = (JsonObject) o;
            out.put(t.getString("value"), t.getLong("clicks"));
        }
        return out;
    }
}

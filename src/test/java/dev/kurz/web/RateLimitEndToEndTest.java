package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import dev.kurz.testing.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rate limits over real HTTP on one embedded node, with the node's clock moved by hand. */
class RateLimitEndToEndTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));

    private Node node(String... settings) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i + 1 < settings.length; i += 2) env.put(settings[i], settings[i + 1]);
        return Node.sqlite(Files.createTempDirectory("kurz-rl"), clock, env);
    }

    private static void assertRateLimited(Resp r, String retryAfter) {
        r.assertProblem(429, "rate-limited");
        assertThat(r.header("retry-after")).isEqualTo(retryAfter);
    }

    @Test
    void api_overTheKeysQuota_answers429WithRetryAfter_andEveryAnswerCarriesTheHeaders() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_API", "5/min")) {
            Resp created = n.api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/rl").put("slug", "rl-1"));
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.header("ratelimit-policy")).isEqualTo("\"api\";q=5;w=60");
            assertThat(created.header("ratelimit")).isEqualTo("\"api\";r=4;t=12");
            for (int left = 3; left >= 0; left--) {
                Resp r = n.api.get("/api/v1/links/rl-1");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("ratelimit")).startsWith("\"api\";r=" + left + ";t=");
            }
            Resp refused = n.api.get("/api/v1/links/rl-1");
            assertRateLimited(refused, "12");
            assertThat(refused.json().getString("detail")).contains("this API key", "5 requests per minute", "12 s");
            assertThat(refused.header("ratelimit-policy")).isEqualTo("\"api\";q=5;w=60");
            assertThat(refused.header("ratelimit")).isEqualTo("\"api\";r=0;t=12");
            assertThat(n.api.get("/api/v1/nothing-here").status()).isEqualTo(429); // unknown paths count too

            clock.advance(Duration.ofSeconds(12));
            assertThat(n.api.get("/api/v1/links/rl-1").status()).isEqualTo(200);
            assertThat(n.api.get("/health/live").header("ratelimit")).isNull(); // probes are not limited
        }
    }

    @Test
    void apiIp_limitsTheAddress_andBothPoliciesAreAdvertised() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_API", "100/min", "KURZ_RATELIMIT_API_IP", "2/min")) {
            Resp ok = n.api.get("/api/v1/links");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("ratelimit-policy")).isEqualTo("\"api\";q=100;w=60, \"api-ip\";q=2;w=60");
            assertThat(ok.header("ratelimit")).isEqualTo("\"api\";r=99;t=1, \"api-ip\";r=1;t=30");
            assertThat(n.api.get("/api/v1/links").status()).isEqualTo(200);
            Resp refused = n.api.get("/api/v1/links");
            assertRateLimited(refused, "30");
            assertThat(refused.json().getString("detail")).contains("your address", "\"api-ip\"");
        }
    }

    @Test
    void wrongKeys_afterTheHandful_answer429BeforeTheKeyIsChecked_untilATokenIsBack() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_AUTH_FAILURES", "3/min")) {
            Api wrong = n.api.withKey("kurz_wrong_key_guess_000000000");
            Resp first = wrong.get("/api/v1/links");
            first.assertProblem(401, "unauthorized");
            assertThat(first.header("ratelimit-policy")).isEqualTo("\"auth-failures\";q=3;w=60");
            assertThat(first.header("ratelimit")).startsWith("\"auth-failures\";r=2;");
            n.api.withKey(null).get("/api/v1/links").assertProblem(401, "unauthorized"); // no key counts too
            wrong.get("/api/v1/links").assertProblem(401, "unauthorized");

            Resp locked = n.api.get("/api/v1/links"); // even the right key: guessing must not learn anything
            assertRateLimited(locked, "20");
            assertThat(locked.json().getString("detail")).contains("wrong or missing API key");
            assertThat(locked.header("ratelimit")).isEqualTo("\"auth-failures\";r=0;t=20");
            assertRateLimited(wrong.get("/api/v1/links"), "20");

            clock.advance(Duration.ofSeconds(20));
            assertThat(n.api.get("/api/v1/links").status()).isEqualTo(200);
            wrong.get("/api/v1/links").assertProblem(401, "unauthorized"); // the one token back
            assertRateLimited(n.api.get("/api/v1/links"), "20");
        }
    }

    @Test
    void wrongKeysOnTheWebSocket_countLikeHeaderOnes_andALockedOutAddressCannotUpgrade() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_AUTH_FAILURES", "2/min")) {
            io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
            // Held to the end: Vert.x closes an unreferenced client's connections when the GC finds it.
            var sockets = vertx.createWebSocketClient();
            try {
                int port = Integer.parseInt(n.api.base.substring(n.api.base.lastIndexOf(':') + 1));
                var options = new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/api/v1/live");
                for (int i = 0; i < 2; i++) {
                    var ws = sockets.connect(options).await(5, java.util.concurrent.TimeUnit.SECONDS);
                    var closed = new java.util.concurrent.CompletableFuture<Short>();
                    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
                    ws.writeTextMessage(new JsonObject().put("type", "auth").put("key", "kurz_wrong_ws_guess_" + i).encode());
                    assertThat(closed.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo((short) 4401);
                }
                assertRateLimited(n.api.get("/api/v1/links"), "30"); // the right key, by header: locked out
                assertThat(sockets.connect(options).toCompletionStage().toCompletableFuture())
                        .failsWithin(Duration.ofSeconds(5))
                        .withThrowableThat().havingRootCause().isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class)
                        .matches(e -> ((io.vertx.core.http.UpgradeRejectedException) e).getStatus() == 429, "status 429");
            } finally {
                java.lang.ref.Reference.reachabilityFence(sockets);
                vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void redirects_perAddress_limitedWhenOn_withHtmlOrProblemAndRetryAfter() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_REDIRECT", "3/s")) {
            n.api.create(Map.of("url", "https://example.com/r", "slug", "rl-r"));
            for (int i = 0; i < 3; i++) assertThat(n.api.get("/rl-r").status()).isEqualTo(302);
            Resp html = n.api.get("/rl-r");
            assertThat(html.status()).isEqualTo(429);
            assertThat(html.header("retry-after")).isEqualTo("1");
            assertThat(html.contentType()).startsWith("text/html");
            assertThat(html.body()).contains("429");
            assertThat(html.header("location")).isNull();
            assertRateLimited(n.api.get("/rl-r", "Accept", "application/json"), "1");
            assertThat(n.api.get("/no-such-slug").status()).isEqualTo(429); // unknown slugs cost a token too

            clock.advance(Duration.ofMillis(340));
            assertThat(n.api.get("/rl-r").status()).isEqualTo(302);
            assertThat(n.api.get("/rl-r").status()).isEqualTo(429);
            assertThat(n.api.get("/api/v1/links/rl-r").status()).isEqualTo(200); // the API has its own limits
            assertThat(n.api.get("/metrics").body()).contains("kurz_ratelimit_refused_total 4");
        }
    }

    @Test
    void abuseReports_perAddress_limitedBeforeTheBodyIsRead() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_REPORTS", "2/h")) {
            Api anonymous = n.api.withKey(null);
            JsonObject report = new JsonObject().put("url", "https://phish.example/").put("reason", "asks for passwords");
            assertThat(anonymous.post("/api/v1/reports", report).status()).isEqualTo(202);
            assertThat(anonymous.post("/api/v1/reports", report).status()).isEqualTo(202);
            Resp third = anonymous.post("/api/v1/reports", report);
            third.assertProblem(429, "rate-limited");
            assertThat(Long.parseLong(third.header("retry-after"))).isBetween(1L, 1800L);
            assertThat(n.api.get("/api/v1/reports").json().getJsonArray("items")).hasSize(2);
        }
    }

    /**
     * A POST refused by a rate limit before its body was read is answered as the other refusals are:
     * {@code Connection: close}, the body drained, a clean close. Before, the 429 left the connection
     * open with the body unread and paused: the client's next request on it waited for the read deadline.
     */
    @Test
    void postRefusedByALimit_beforeItsBodyWasRead_isAnsweredAndClosedCleanly() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_REPORTS", "1/h", "KURZ_RATELIMIT_API", "1/min")) {
            String report = new JsonObject().put("url", "https://phish.example/").put("reason", "asks for passwords").encode();
            assertThat(n.api.withKey(null).raw("POST", "/api/v1/reports", report, "Content-Type", "application/json").status()).isEqualTo(202);
            assertThat(n.api.get("/api/v1/links").status()).isEqualTo(200);
            for (String head : List.of("POST /api/v1/reports HTTP/1.1\r\nHost: kurz.test\r\n",
                    "POST /api/v1/links HTTP/1.1\r\nHost: kurz.test\r\nX-Api-Key: " + Node.ADMIN_KEY + "\r\n")) {
                try (RawHttp raw = new RawHttp(n.kurz.port())) {
                    raw.send(head + "Content-Type: application/json\r\nContent-Length: " + report.length() + "\r\n\r\n");
                    RawHttp.Reply answer = raw.readAnswer(5_000);
                    assertThat(answer.status()).as(answer.text()).isEqualTo(429);
                    assertThat(answer.text()).containsIgnoringCase("Connection: close");
                    raw.send(report);
                    RawHttp.Reply end = raw.readUntilClose(1_500);
                    assertThat(end.closed()).as("closed once the body is read").isTrue();
                    assertThat(end.reset()).as("closed, not reset").isFalse();
                }
            }
        }
    }

    @Test
    void redirects_off_areNeverLimited() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_REDIRECT", "off", "KURZ_RATELIMIT_API", "100/min")) {
            n.api.create(Map.of("url", "https://example.com/off", "slug", "rl-off"));
            for (int i = 0; i < 300; i++) assertThat(n.api.get("/rl-off").status()).isEqualTo(302);
            assertThat(n.api.get("/rl-off").header("ratelimit")).isNull(); // redirects never carry the fields
        }
    }

    @Test
    void batch_countsItsItems_refusingTheWholeBatchOverTheQuota() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_API", "10/min")) {
            Resp four = n.api.post("/api/v1/links/batch", batch("b4", 4));
            assertThat(four.status()).isEqualTo(200);
            assertThat(four.header("ratelimit")).startsWith("\"api\";r=6;");

            Resp seven = n.api.post("/api/v1/links/batch", batch("b7", 7)); // 1 + 6 more, with 6 left
            assertRateLimited(seven, "6");
            Resp after = n.api.get("/api/v1/links/b7-0");
            assertThat(after.status()).isEqualTo(404); // nothing of the refused batch was made
            assertThat(after.header("ratelimit")).startsWith("\"api\";r=4;"); // the refused batch took its own call only

            Resp eleven = n.api.post("/api/v1/links/batch", batch("b11", 11));
            eleven.assertProblem(429, "rate-limited");
            assertThat(eleven.json().getString("detail")).contains("11 requests", "at most 10 links per batch");
            assertThat(eleven.header("retry-after")).isEqualTo("60");
        }
    }

    private static JsonObject batch(String prefix, int n) {
        JsonArray items = new JsonArray();
        for (int i = 0; i < n; i++) items.add(new JsonObject().put("url", "https://example.com/" + prefix).put("slug", prefix + "-" + i));
        return new JsonObject().put("links", items);
    }

    @Test
    void xForwardedFor_countsOnlyFromATrustedProxy() throws Exception {
        try (Node trusting = node("KURZ_RATELIMIT_REDIRECT", "2/s", "KURZ_RATELIMIT_API_IP", "2/min", "KURZ_TRUSTED_PROXIES", "127.0.0.1");
             Node distrusting = node("KURZ_RATELIMIT_REDIRECT", "2/s")) {
            trusting.api.create(Map.of("url", "https://example.com/xff", "slug", "rl-xff"));
            for (int i = 0; i < 2; i++) assertThat(trusting.api.get("/rl-xff", "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(302);
            assertThat(trusting.api.get("/rl-xff", "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(429);
            assertThat(trusting.api.get("/rl-xff", "X-Forwarded-For", "203.0.113.2").status()).isEqualTo(302);
            assertThat(trusting.api.get("/rl-xff", "Forwarded", "for=203.0.113.3").status()).isEqualTo(302);
            // The API's per-address bucket follows the proxy too (the create above came from 127.0.0.1 itself).
            assertThat(trusting.api.get("/api/v1/links", "X-Forwarded-For", "198.51.100.1").header("ratelimit")).contains("\"api-ip\";r=1;");
            assertThat(trusting.api.get("/api/v1/links", "X-Forwarded-For", "198.51.100.2").header("ratelimit")).contains("\"api-ip\";r=1;");

            distrusting.api.create(Map.of("url", "https://example.com/xff", "slug", "rl-xff"));
            assertThat(distrusting.api.get("/rl-xff", "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(302);
            assertThat(distrusting.api.get("/rl-xff", "X-Forwarded-For", "203.0.113.2").status()).isEqualTo(302);
            assertThat(distrusting.api.get("/rl-xff", "X-Forwarded-For", "203.0.113.3").status()).isEqualTo(429); // all 127.0.0.1
        }
    }

    @Test
    void ipv6Clients_countByTheirSlash64() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_REDIRECT", "2/s", "KURZ_TRUSTED_PROXIES", "127.0.0.1")) {
            n.api.create(Map.of("url", "https://example.com/v6", "slug", "rl-v6"));
            assertThat(n.api.get("/rl-v6", "X-Forwarded-For", "2001:db8:1:2::1").status()).isEqualTo(302);
            assertThat(n.api.get("/rl-v6", "X-Forwarded-For", "2001:db8:1:2:ffff::9").status()).isEqualTo(302);
            assertThat(n.api.get("/rl-v6", "X-Forwarded-For", "2001:db8:1:2::77").status()).isEqualTo(429); // same /64
            assertThat(n.api.get("/rl-v6", "X-Forwarded-For", "2001:db8:1:3::1").status()).isEqualTo(302); // the next /64
        }
    }

    @Test
    void liveConnects_perAddress_limited() throws Exception {
        try (Node n = node("KURZ_RATELIMIT_LIVE", "2/min")) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest sse = HttpRequest.newBuilder(URI.create(n.api.base + "/api/v1/live/sse?all=true"))
                    .header("X-Api-Key", Node.ADMIN_KEY).build();
            HttpResponse<InputStream> one = http.send(sse, HttpResponse.BodyHandlers.ofInputStream());
            HttpResponse<InputStream> two = http.send(sse, HttpResponse.BodyHandlers.ofInputStream());
            try {
                assertThat(one.statusCode()).isEqualTo(200);
                assertThat(two.statusCode()).isEqualTo(200);
                assertRateLimited(n.api.get("/api/v1/live/sse?all=true"), "30");
                // The WebSocket shares the bucket: refused before the upgrade is even looked at.
                assertRateLimited(n.api.get("/api/v1/live"), "30");
            } finally {
                one.body().close();
                two.body().close();
            }
        }
    }
}

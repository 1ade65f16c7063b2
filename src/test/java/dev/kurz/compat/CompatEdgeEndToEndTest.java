package dev.kurz.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Node;
import dev.kurz.testing.RawHttp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the client scenarios do not show: each compatible API answers refusals in its own format,
 * checks the key before it reads a body, answers browsers like Shlink does, and YOURLS (whose
 * clients put the key in the URL) is off unless switched on.
 */
class CompatEdgeEndToEndTest {
    private static Node node;
    private static Api anonymous;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        node = Node.sqlite(Files.createTempDirectory("kurz-compat-edge"), InstantSource.system(), Map.of());
        api = node.api;
        anonymous = node.api.withKey(null);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shlink_missingOrWrongKey_shlinkProblems() {
        Api.Resp none = anonymous.get("/rest/v3/short-urls");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.json().getString("type")).isEqualTo("https://shlink.io/api/error/missing-authentication");
        Api.Resp wrong = anonymous.get("/rest/v3/short-urls", "X-Api-Key", "kurz_wrong_key_0000000000000");
        assertThat(wrong.json().getString("type")).isEqualTo("https://shlink.io/api/error/invalid-api-key");
        assertThat(anonymous.get("/rest/health").json().getString("status")).isEqualTo("pass");
    }

    @Test
    void shlink_visitsOfASmartLink_nameTheDestinationEachVisitorWasSentTo() throws Exception {
        JsonObject link = new JsonObject().put("url", "https://example.com/everyone").put("slug", "sh-smart")
                .put("rules", new io.vertx.core.json.JsonArray().add(new JsonObject()
                        .put("if", new JsonObject().put("language", new io.vertx.core.json.JsonArray().add("de")))
                        .put("url", "https://example.com/de")));
        assertThat(api.post("/api/v1/links", link).status()).isEqualTo(201);
        assertThat(api.get("/sh-smart", "Accept-Language", "de-AT,de;q=0.9").header("Location")).isEqualTo("https://example.com/de");
        assertThat(api.get("/sh-smart", "Accept-Language", "fr").header("Location")).isEqualTo("https://example.com/everyone");
        io.vertx.core.json.JsonArray visits = null;
        for (long until = System.currentTimeMillis() + 10_000; System.currentTimeMillis() < until; Thread.sleep(100)) {
            visits = api.get("/rest/v3/short-urls/sh-smart/visits").json().getJsonObject("visits").getJsonArray("data");
            if (visits.size() == 2) break;
        }
        assertThat(visits).hasSize(2);
        assertThat(visits.stream().map(v -> ((JsonObject) v).getString("redirectUrl")))
                .containsExactlyInAnyOrder("https://example.com/de", "https://example.com/everyone");
    }

    @Test
    void shlink_unknownRoute_shlinkNotFound() {
        Api.Resp r = api.get("/rest/v3/nothing-here");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().getString("type")).isEqualTo("https://shlink.io/api/error/not-found");
    }

    @Test
    void shlink_cors_anyOriginByDefault() {
        Api.Resp pre = anonymous.raw("OPTIONS", "/rest/v3/short-urls/abc", null, "Origin", "https://app.shlink.io",
                "Access-Control-Request-Method", "PATCH", "Access-Control-Request-Headers", "content-type,x-api-key");
        assertThat(pre.status()).isEqualTo(204);
        assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(pre.header("Access-Control-Allow-Methods")).contains("PATCH");
        assertThat(pre.header("Access-Control-Allow-Headers")).containsIgnoringCase("X-Api-Key");
        Api.Resp get = api.get("/rest/v3/tags", "Origin", "https://app.shlink.io");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("Access-Control-Allow-Origin")).isEqualTo("*");
        // Kurz's own API keeps its allowlist (none by default).
        assertThat(api.get("/api/v1/links", "Origin", "https://app.shlink.io").header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void shlink_bodyOfAnUnauthenticatedRequest_neverRead() {
        // 50 MB announced, none sent: the answer comes at once, and the connection is closed.
        try (RawHttp raw = new RawHttp(node.kurz.port())) {
            RawHttp.Reply reply = raw.send("POST /rest/v3/short-urls HTTP/1.1\r\nHost: kurz.test\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 50000000\r\n\r\n{").readUntilClose(5_000);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.text()).contains("missing-authentication").containsIgnoringCase("Connection: close");
            assertThat(reply.closed()).isTrue();
        }
    }

    @Test
    void bitly_bearerOrBareKey_elseForbidden() {
        Api.Resp bearer = anonymous.get("/v4/user", "Authorization", "Bearer " + Node.ADMIN_KEY);
        assertThat(bearer.status()).isEqualTo(200);
        assertThat(bearer.json().getString("default_group_guid")).isNotBlank();
        assertThat(anonymous.get("/v4/user", "Authorization", Node.ADMIN_KEY).status()).isEqualTo(200);
        Api.Resp none = anonymous.get("/v4/user");
        assertThat(none.status()).isEqualTo(403);
        assertThat(none.json().getString("message")).isEqualTo("FORBIDDEN");
        Api.Resp unknown = anonymous.get("/v4/bitlinks/bit.ly/nosuch1", "Authorization", Node.ADMIN_KEY);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getString("message")).isEqualTo("NOT_FOUND");
    }

    @Test
    void bitly_reservedKeyword_bitlyError() {
        Api.Resp r = anonymous.raw("POST", "/v4/bitlinks", new JsonObject().put("long_url", "https://example.com/").put("keyword", "health").encode(),
                "Authorization", Node.ADMIN_KEY, "Content-Type", "application/json");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().getString("message")).isEqualTo("INVALID_ARG_KEYWORD");
    }

    @Test
    void rateLimits_applyAsOnApiV1() throws Exception {
        try (Node limited = Node.sqlite(Files.createTempDirectory("kurz-compat-limits"), InstantSource.system(),
                Map.of("KURZ_RATELIMIT_API", "3/min", "KURZ_RATELIMIT_AUTH_FAILURES", "2/min", "KURZ_YOURLS_API", "true"))) {
            Api a = limited.api.withKey(null);
            // One bucket per key, whichever API the calls come through.
            assertThat(a.get("/rest/v3/tags", "X-Api-Key", Node.ADMIN_KEY).status()).isEqualTo(200);
            assertThat(a.get("/v4/user", "Authorization", Node.ADMIN_KEY).status()).isEqualTo(200);
            assertThat(a.get("/yourls-api.php?action=db-stats&format=json&signature=" + Node.ADMIN_KEY).status()).isEqualTo(200);
            Api.Resp fourth = a.get("/rest/v3/tags", "X-Api-Key", Node.ADMIN_KEY);
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.header("Retry-After")).isNotNull();
            // Wrong keys count against the address, on every API.
            assertThat(a.get("/v4/user", "Authorization", "kurz_wrong_key_0000000000000").status()).isEqualTo(403);
            assertThat(a.get("/rest/v3/tags", "X-Api-Key", "kurz_wrong_key_0000000000000").status()).isEqualTo(401);
            assertThat(a.get("/yourls-api.php?action=db-stats&format=json&signature=wrong").status()).isEqualTo(429);
        }
    }

    @Test
    void yourls_offUnlessSwitchedOn() {
        Api.Resp r = anonymous.get("/yourls-api.php?action=version&format=json&signature=" + Node.ADMIN_KEY);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void yourls_timeLimitedSignature_refused() throws Exception {
        try (Node on = Node.sqlite(Files.createTempDirectory("kurz-yourls"), InstantSource.system(), Map.of("KURZ_YOURLS_API", "true"))) {
            Api a = on.api.withKey(null);
            Api.Resp ok = a.get("/yourls-api.php?action=version&format=json&signature=" + Node.ADMIN_KEY);
            assertThat(ok.status()).isEqualTo(200);
            Api.Resp timed = a.get("/yourls-api.php?action=version&format=json&timestamp=1700000000&signature=" + Node.ADMIN_KEY);
            assertThat(timed.status()).isEqualTo(403);
            assertThat(timed.json().getString("errorCode")).isEqualTo("403");
            Api.Resp none = a.get("/yourls-api.php?action=version&format=json");
            assertThat(none.json().getString("message")).isEqualTo("Please log in");
        }
    }
}

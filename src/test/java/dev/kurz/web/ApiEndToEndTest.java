package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The whole HTTP API of an embedded node, over real HTTP, including every error case. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiEndToEndTest {
    private final MutableClock clock = MutableClock.systemNow();
    private Node node;
    private Api api;

    @BeforeAll
    void start() {
        node = Node.sqlite(clock);
        api = node.api;
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private static void assertProblem(Resp r, int status, String type) {
        r.assertProblem(status, type);
    }

    private static List<String> fields(Resp r) {
        return r.json().getJsonArray("errors").stream().map(o -> ((JsonObject) o).getString("field")).toList();
    }

    // ---- create ----

    @Test
    void create_generatedSlug_returns201WithLinkAndLocation() {
        Resp r = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/create").put("title", "Hello").put("tags", new JsonArray().add("t1")));
        assertThat(r.status()).isEqualTo(201);
        JsonObject l = r.json();
        assertThat(l.getString("slug")).matches("[0-9A-Za-z]{7}");
        assertThat(r.header("location")).isEqualTo("/api/v1/links/" + l.getString("slug"));
        assertThat(l.getString("shortUrl")).isEqualTo(Node.BASE_URL + "/" + l.getString("slug"));
        assertThat(l.getString("url")).isEqualTo("https://example.com/create");
        assertThat(l.getString("title")).isEqualTo("Hello");
        assertThat(l.getJsonArray("tags").getList()).containsExactly("t1");
        assertThat(l.getInteger("redirectType")).isEqualTo(302);
        assertThat(l.getBoolean("forwardQuery")).isTrue();
        assertThat(l.getValue("expiresAt")).isNull();
        assertThat(l.getValue("maxClicks")).isNull();
        assertThat(l.getLong("clicks")).isZero();
        assertThat(Instant.parse(l.getString("createdAt"))).isEqualTo(Instant.parse(l.getString("updatedAt")));
        assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    }

    @Test
    void create_consecutiveGeneratedSlugs_areUnrelated() {
        String a = api.create(Map.of("url", "https://example.com/a")).getString("slug");
        String b = api.create(Map.of("url", "https://example.com/b")).getString("slug");
        assertThat(a).isNotEqualTo(b);
        assertThat(a.substring(0, 3)).isNotEqualTo(b.substring(0, 3));
    }

    @Test
    void create_customSlugTaken_is409AndKeepsTheFirst() {
        api.create(Map.of("url", "https://example.com/first", "slug", "taken-1"));
        Resp r = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/second").put("slug", "taken-1"));
        assertProblem(r, 409, "slug-taken");
        assertThat(api.get("/api/v1/links/taken-1").json().getString("url")).isEqualTo("https://example.com/first");
    }

    @Test
    void create_invalidFields_are400NamingEachField() {
        Resp r = api.post("/api/v1/links", new JsonObject().put("url", "ftp://example.com").put("slug", "api")
                .put("maxClicks", 0).put("redirectType", 303).put("expiresAt", "2001-01-01T00:00:00Z"));
        assertProblem(r, 400, "validation");
        assertThat(fields(r)).containsExactlyInAnyOrder("url", "slug", "maxClicks", "redirectType", "expiresAt");
        assertThat(api.get("/api/v1/links/api").status()).isEqualTo(404);
    }

    @Test
    void create_badUrls_are400() {
        for (String url : List.of("https://user:pw@example.com/", "http://kurz.test/loop", "not a url", "https://exa mple.com",
                "javascript:alert(1)", "https://example.com/" + "x".repeat(9000))) {
            Resp r = api.post("/api/v1/links", new JsonObject().put("url", url));
            assertProblem(r, 400, "validation");
            assertThat(fields(r)).containsExactly("url");
        }
    }

    @Test
    void create_wrongTypesAndUnknownFields_are400() {
        Resp r = api.post("/api/v1/links", new JsonObject().put("url", 5).put("tags", "a,b").put("forwardQuery", "yes")
                .put("maxClicks", 1.5).put("expiresAt", "tomorrow").put("expires_at", "x"));
        assertProblem(r, 400, "validation");
        assertThat(fields(r)).containsExactlyInAnyOrder("url", "tags", "forwardQuery", "maxClicks", "expiresAt", "expires_at");
    }

    @Test
    void create_malformedJson_is400() {
        assertProblem(api.raw("POST", "/api/v1/links", "{\"url\": ", "Content-Type", "application/json"), 400, "malformed-json");
        assertProblem(api.raw("POST", "/api/v1/links", "[1,2]", "Content-Type", "application/json"), 400, "malformed-json");
        assertProblem(api.raw("POST", "/api/v1/links", "", "Content-Type", "application/json"), 400, "malformed-json");
    }

    @Test
    void create_notJson_is415_tooLarge_is413() {
        assertProblem(api.raw("POST", "/api/v1/links", "url=https://e.com", "Content-Type", "application/x-www-form-urlencoded"), 415, "unsupported-media-type");
        assertProblem(api.raw("POST", "/api/v1/links", "{}"), 415, "unsupported-media-type");
        String huge = new JsonObject().put("url", "https://e.com").put("title", "x".repeat(2 * 1024 * 1024)).encode();
        assertProblem(api.raw("POST", "/api/v1/links", huge, "Content-Type", "application/json"), 413, "payload-too-large");
    }

    /**
     * java.net.http writes the whole body before it reads: the 413 must reach it every time, not
     * only when the answer beats the connection's reset ("HTTP/1.1 header parser received no bytes",
     * about 1 in 20 suite runs, and within a few dozen tries on a loaded machine, before the drain).
     */
    @Test
    void tooLarge_is413_everyTime_forAClientThatSendsItsWholeBody() {
        String huge = new JsonObject().put("url", "https://e.com").put("title", "x".repeat(2 * 1024 * 1024)).encode();
        for (int i = 0; i < 100; i++) {
            assertProblem(api.raw("POST", "/api/v1/links", huge, "Content-Type", "application/json"), 413, "payload-too-large");
        }
    }

    @Test
    void create_internationalDomain_isStoredInPunycode() {
        JsonObject l = api.create(Map.of("url", "https://bücher.example/straße?q=ä"));
        assertThat(l.getString("url")).isEqualTo("https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4");
    }

    // ---- auth ----

    @Test
    void auth_missingOrUnknownKey_is401() {
        assertProblem(api.withKey(null).get("/api/v1/links"), 401, "unauthorized");
        assertProblem(api.withKey("kurz_wrong").get("/api/v1/links"), 401, "unauthorized");
        assertProblem(api.withKey(null).post("/api/v1/links", new JsonObject().put("url", "https://e.com")), 401, "unauthorized");
    }

    @Test
    void auth_bearerToken_works() {
        Resp r = api.withKey(null).get("/api/v1/links", "Authorization", "Bearer " + Node.ADMIN_KEY);
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void auth_readOnlyKey_cannotWrite_is403() {
        var keys = new dev.kurz.auth.ApiKeys(new dev.kurz.storage.jdbc.JdbcStore(
                dev.kurz.storage.jdbc.Database.sqlite(node.dataDir.resolve("kurz.db"))), clock, Runnable::run);
        String reader = keys.create("reader", java.util.EnumSet.of(dev.kurz.auth.Scope.LINKS_READ)).key();
        Api ro = api.withKey(reader);
        assertThat(ro.get("/api/v1/links").status()).isEqualTo(200);
        assertProblem(ro.post("/api/v1/links", new JsonObject().put("url", "https://e.com")), 403, "forbidden");
        assertProblem(ro.delete("/api/v1/links/whatever"), 403, "forbidden");
    }

    // ---- read, patch, delete ----

    @Test
    void get_unknown_is404() {
        assertProblem(api.get("/api/v1/links/does-not-exist"), 404, "link-not-found");
    }

    @Test
    void patch_changesFields_andRedirectFollowsAtOnce() {
        api.create(Map.of("url", "https://example.com/old", "slug", "patch-me", "tags", List.of("a")));
        assertThat(api.get("/patch-me").header("location")).isEqualTo("https://example.com/old");
        Resp r = api.patch("/api/v1/links/patch-me", new JsonObject().put("url", "https://example.com/new").put("title", "T")
                .put("tags", new JsonArray().add("b")).put("redirectType", 301).put("maxClicks", null));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().getString("url")).isEqualTo("https://example.com/new");
        assertThat(r.json().getJsonArray("tags").getList()).containsExactly("b");
        assertThat(r.json().getInteger("redirectType")).isEqualTo(301);
        Resp redirect = api.get("/patch-me");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("location")).isEqualTo("https://example.com/new");
    }

    @Test
    void patch_errors() {
        api.create(Map.of("url", "https://example.com/p", "slug", "patch-err"));
        assertProblem(api.patch("/api/v1/links/patch-err", new JsonObject().put("slug", "other")), 400, "validation");
        assertProblem(api.patch("/api/v1/links/patch-err", new JsonObject().putNull("url")), 400, "validation");
        assertProblem(api.patch("/api/v1/links/patch-err", new JsonObject().put("url", "mailto:x@y")), 400, "validation");
        assertProblem(api.patch("/api/v1/links/nope", new JsonObject().put("title", "x")), 404, "link-not-found");
        assertThat(api.get("/api/v1/links/patch-err").json().getString("url")).isEqualTo("https://example.com/p");
    }

    @Test
    void delete_thenRedirectAndGetAre404() {
        api.create(Map.of("url", "https://example.com/d", "slug", "delete-me"));
        assertThat(api.get("/delete-me").status()).isEqualTo(302);
        assertThat(api.delete("/api/v1/links/delete-me").status()).isEqualTo(204);
        assertThat(api.get("/delete-me").status()).isEqualTo(404);
        assertProblem(api.get("/api/v1/links/delete-me"), 404, "link-not-found");
        assertProblem(api.delete("/api/v1/links/delete-me"), 404, "link-not-found");
    }

    // ---- list ----

    @Test
    void list_pagesNewestFirstWithCursor_andFilters() {
        for (int i = 0; i < 12; i++) {
            api.create(Map.of("url", "https://list.example/" + i, "slug", "list-" + i, "tags", List.of(i % 3 == 0 ? "three" : "other"),
                    "title", "Listing number " + i));
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        List<String> order = new ArrayList<>();
        do {
            Resp r = api.get("/api/v1/links?q=list.example&limit=5" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).isEqualTo(200);
            for (Object o : r.json().getJsonArray("items")) {
                String slug = ((JsonObject) o).getString("slug");
                assertThat(seen.add(slug)).isTrue();
                order.add(slug);
            }
            cursor = r.json().getString("nextCursor");
        } while (cursor != null);
        assertThat(order).hasSize(12).startsWith("list-11", "list-10", "list-9").endsWith("list-0");
        Resp tagged = api.get("/api/v1/links?tag=three&limit=100");
        assertThat(tagged.json().getJsonArray("items")).hasSize(4);
        Resp q = api.get("/api/v1/links?q=NUMBER%207");
        assertThat(q.json().getJsonArray("items")).hasSize(1);
    }

    @Test
    void list_badParameters_are400() {
        assertProblem(api.get("/api/v1/links?limit=0"), 400, "bad-request");
        assertProblem(api.get("/api/v1/links?limit=1001"), 400, "bad-request");
        assertProblem(api.get("/api/v1/links?limit=ten"), 400, "bad-request");
        assertProblem(api.get("/api/v1/links?cursor=%21%21"), 400, "bad-request");
    }

    // ---- batch ----

    @Test
    void batch_createsValidItems_reportsOthersInOrder() {
        JsonArray items = new JsonArray()
                .add(new JsonObject().put("url", "https://batch.example/1").put("slug", "batch-1"))
                .add(new JsonObject().put("url", "ftp://nope"))
                .add(new JsonObject().put("url", "https://batch.example/3").put("slug", "batch-1"))
                .add("not an object")
                .add(new JsonObject().put("url", "https://batch.example/5"));
        Resp r = api.post("/api/v1/links/batch", new JsonObject().put("links", items));
        assertThat(r.status()).isEqualTo(200);
        JsonArray results = r.json().getJsonArray("results");
        assertThat(results).hasSize(5);
        assertThat(results.getJsonObject(0).getInteger("status")).isEqualTo(201);
        assertThat(results.getJsonObject(0).getJsonObject("link").getString("slug")).isEqualTo("batch-1");
        assertThat(results.getJsonObject(1).getInteger("status")).isEqualTo(400);
        assertThat(results.getJsonObject(1).getJsonObject("problem").getString("type")).isEqualTo("urn:kurz:problem:validation");
        assertThat(results.getJsonObject(2).getInteger("status")).isEqualTo(409);
        assertThat(results.getJsonObject(3).getInteger("status")).isEqualTo(400);
        assertThat(results.getJsonObject(4).getInteger("status")).isEqualTo(201);
        assertThat(api.get("/batch-1").status()).isEqualTo(302);
    }

    @Test
    void batch_emptyOrTooLarge_is400() {
        assertProblem(api.post("/api/v1/links/batch", new JsonObject().put("links", new JsonArray())), 400, "validation");
        assertProblem(api.post("/api/v1/links/batch", new JsonObject()), 400, "validation");
        JsonArray many = new JsonArray();
        for (int i = 0; i < 1001; i++) many.add(new JsonObject().put("url", "https://e.com/" + i));
        assertProblem(api.post("/api/v1/links/batch", new JsonObject().put("links", many)), 400, "validation");
    }

    // ---- redirects ----

    @Test
    void redirect_forwardsQueryAndUsesTheLinksStatus() {
        api.create(Map.of("url", "https://example.com/r?a=1#top", "slug", "r-query"));
        Resp r = api.withKey(null).get("/r-query?utm=x&b=2");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("location")).isEqualTo("https://example.com/r?a=1&utm=x&b=2#top");
        assertThat(r.header("cache-control")).isEqualTo("no-store");
        api.create(Map.of("url", "https://example.com/r", "slug", "r-noforward", "forwardQuery", false, "redirectType", 308));
        Resp p = api.withKey(null).get("/r-noforward?utm=x");
        assertThat(p.status()).isEqualTo(308);
        assertThat(p.header("location")).isEqualTo("https://example.com/r");
        assertThat(p.header("cache-control")).isEqualTo("private, max-age=90");
        for (int type : new int[] {301, 307}) {
            api.create(Map.of("url", "https://example.com/" + type, "slug", "r-" + type, "redirectType", type));
            assertThat(api.get("/r-" + type).status()).isEqualTo(type);
        }
    }

    @Test
    void redirect_head_answersLikeGetWithoutBody() {
        api.create(Map.of("url", "https://example.com/head", "slug", "r-head"));
        Resp r = api.head("/r-head");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("location")).isEqualTo("https://example.com/head");
        assertThat(api.head("/r-unknown-head").status()).isEqualTo(404);
    }

    @Test
    void redirect_unknown_is404Html_orProblemJsonWhenAsked() {
        Resp html = api.withKey(null).get("/no-such-slug");
        assertThat(html.status()).isEqualTo(404);
        assertThat(html.contentType()).startsWith("text/html");
        assertThat(html.body()).contains("404");
        assertProblem(api.withKey(null).get("/no-such-slug", "Accept", "application/json"), 404, "link-not-found");
    }

    @Test
    void redirect_expired_is410() {
        api.create(Map.of("url", "https://example.com/exp", "slug", "r-expiring", "expiresAt", clock.instant().plusSeconds(3600).toString()));
        assertThat(api.get("/r-expiring").status()).isEqualTo(302);
        clock.advance(Duration.ofHours(2));
        try {
            Resp r = api.get("/r-expiring");
            assertThat(r.status()).isEqualTo(410);
            assertThat(r.contentType()).startsWith("text/html");
            assertProblem(api.get("/r-expiring", "Accept", "application/json"), 410, "link-expired");
        } finally {
            clock.advance(Duration.ofHours(-2));
        }
    }

    @Test
    void redirect_maxClicks_isExactUnder50ConcurrentRequests() {
        api.create(Map.of("url", "https://example.com/limited", "slug", "r-limited", "maxClicks", 10));
        List<CompletableFuture<Resp>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) all.add(api.getAsync("/r-limited"));
        List<Integer> statuses = all.stream().map(CompletableFuture::join).map(Resp::status).toList();
        assertThat(statuses.stream().filter(s -> s == 302).count()).isEqualTo(10);
        assertThat(statuses.stream().filter(s -> s == 410).count()).isEqualTo(40);
        assertThat(api.get("/api/v1/links/r-limited").json().getLong("clicks")).isEqualTo(10);
        assertProblem(api.get("/r-limited", "Accept", "application/json"), 410, "link-exhausted");
    }

    @Test
    void redirect_countsClicksWithinASecond() throws InterruptedException {
        api.create(Map.of("url", "https://example.com/count", "slug", "r-count"));
        for (int i = 0; i < 7; i++) assertThat(api.get("/r-count").status()).isEqualTo(302);
        api.head("/r-count"); // HEAD (link previews) is not a click
        long deadline = System.currentTimeMillis() + 2000;
        long clicks = 0;
        while (System.currentTimeMillis() < deadline && (clicks = api.get("/api/v1/links/r-count").json().getLong("clicks")) < 7) {
            Thread.sleep(50);
        }
        assertThat(clicks).isEqualTo(7);
    }

    // ---- the rest ----

    @Test
    void unknownRoute_is404Problem_wrongMethod_is405() {
        assertProblem(api.get("/api/v1/nothing"), 404, "not-found");
        assertProblem(api.get("/a/b/c"), 404, "not-found");
        assertProblem(api.raw("PUT", "/api/v1/links/x", "{}", "Content-Type", "application/json"), 405, "method-not-allowed");
        assertProblem(api.raw("POST", "/some-slug", "{}", "Content-Type", "application/json"), 404, "not-found");
    }

    @Test
    void health_andOpenApi_needNoKey() {
        Api anon = api.withKey(null);
        assertThat(anon.get("/health/live").json().getString("status")).isEqualTo("UP");
        Resp ready = anon.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().getJsonObject("checks").getJsonObject("database").getString("status")).isEqualTo("UP");
        // /metrics is not public on the main port (MetricsEndToEndTest has the management port and the metrics scope).
        anon.get("/metrics").assertProblem(401, "unauthorized");
        Resp spec = anon.get("/api/openapi.yaml");
        assertThat(spec.status()).isEqualTo(200);
        assertThat(spec.body()).startsWith("openapi: 3.1").contains("/api/v1/links/batch");
    }
}

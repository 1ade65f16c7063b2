package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Destination screening, blocked links and abuse reports on a real node over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbuseEndToEndTest {
    private final MutableClock clock = MutableClock.systemNow();
    private Path dataDir;
    private Path blocklist;
    private Node node;
    private Api api;

    @BeforeAll
    void start() throws IOException {
        dataDir = Files.createTempDirectory("kurz-abuse");
        blocklist = dataDir.resolve("blocklist.txt");
        Files.writeString(blocklist, "# test list\r\nlisted.example\r\nhttp://shared.example/malware.exe\r\n");
        node = Node.sqlite(dataDir, clock, Map.of("KURZ_BLOCKLIST", blocklist.toString(), "KURZ_BLOCKLIST_POLL", "1s"));
        api = node.api;
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private String readOnlyKey() {
        var keys = new dev.kurz.auth.ApiKeys(new dev.kurz.storage.jdbc.JdbcStore(
                dev.kurz.storage.jdbc.Database.sqlite(node.dataDir.resolve("kurz.db"))), clock, Runnable::run);
        return keys.create("reader", java.util.EnumSet.of(dev.kurz.auth.Scope.LINKS_READ, dev.kurz.auth.Scope.LINKS_WRITE)).key();
    }

    private void writeList(String content) throws IOException {
        Files.writeString(blocklist, content);
        // A later modification time even on file systems with coarse timestamps.
        Files.setLastModifiedTime(blocklist, FileTime.from(Instant.now().plusSeconds(2 + content.length() % 7)));
    }

    private static Resp waitFor(Supplier<Resp> call, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Resp r = call.get();
        while (r.status() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = call.get();
        }
        return r;
    }

    private static void assertBlockedDestination(Resp r) {
        r.assertProblem(400, "blocked-destination");
        assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("url");
        assertThat(r.json().getString("detail")).startsWith("url: ");
    }

    // ---- screening new destinations ----

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8080/", "http://127.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
            "http://127.000.000.001/", "http://127.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
            "http://0.0.0.0/", "http://10.1.2.3/", "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/", "http://[fd00:ec2::254]/", "http://100.64.1.1/", "http://[fe80::1]/",
            "https://аррӏе.com/", "https://xn--80ak6aa92e.com/", "https://pаypal.com/", "https://bit.ly/x", "https://www.tinyurl.com/x",
            "https://listed.example/", "https://www.listed.example/a", "http://shared.example/malware.exe?x=1"})
    void create_withABadDestination_is400BlockedDestination(String url) {
        assertBlockedDestination(api.post("/api/v1/links", new JsonObject().put("url", url)));
    }

    @Test
    void create_withAGoodDestination_onASharedHostOfAListedUrl_isAccepted() {
        assertThat(api.post("/api/v1/links", new JsonObject().put("url", "http://shared.example/readme.txt")).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/links", new JsonObject().put("url", "https://münchen.de/")).status()).isEqualTo(201);
    }

    @Test
    void create_pointingAtThisInstanceInAnotherForm_isRefused() {
        Resp r = api.post("/api/v1/links", new JsonObject().put("url", "http://KURZ.test./abc"));
        r.assertProblem(400, "validation");
        assertThat(r.body()).contains("redirect to itself");
    }

    @Test
    void patch_toABadDestination_is400_andTheLinkIsUnchanged() {
        String slug = api.create(Map.of("url", "https://example.com/patch-me")).getString("slug");
        assertBlockedDestination(api.patch("/api/v1/links/" + slug, new JsonObject().put("url", "http://0x7f000001/")));
        assertBlockedDestination(api.patch("/api/v1/links/" + slug, new JsonObject().put("url", "https://t.co/x")));
        assertThat(api.get("/api/v1/links/" + slug).json().getString("url")).isEqualTo("https://example.com/patch-me");
    }

    @Test
    void batch_itemWithABadDestination_carriesTheProblem_othersAreCreated() {
        Resp r = api.post("/api/v1/links/batch", new JsonObject().put("links", new JsonArray()
                .add(new JsonObject().put("url", "https://example.com/batch-ok"))
                .add(new JsonObject().put("url", "http://[::ffff:7f00:1]/"))
                .add(new JsonObject().put("url", "https://listed.example/"))));
        assertThat(r.status()).isEqualTo(200);
        JsonArray results = r.json().getJsonArray("results");
        assertThat(results.getJsonObject(0).getInteger("status")).isEqualTo(201);
        for (int i = 1; i <= 2; i++) {
            JsonObject item = results.getJsonObject(i);
            assertThat(item.getInteger("status")).isEqualTo(400);
            assertThat(item.getJsonObject("problem").getString("type")).isEqualTo("urn:kurz:problem:blocked-destination");
            assertThat(item.getJsonObject("problem").getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("url");
        }
    }

    // ---- links blocked later ----

    @Test
    void link_whoseDestinationIsListedLater_stopsRedirecting_andShowsItsBlock() throws Exception {
        JsonObject link = api.create(Map.of("url", "https://later.example/page"));
        String slug = link.getString("slug");
        assertThat(link.getValue("blocked")).isNull();
        assertThat(api.get("/" + slug).status()).isEqualTo(302); // now cached as a redirect

        writeList("listed.example\nhttp://shared.example/malware.exe\nlater.example\n");
        Resp json = waitFor(() -> api.get("/" + slug, "Accept", "application/json"), 410);
        json.assertProblem(410, "link-blocked");
        Resp html = api.get("/" + slug);
        assertThat(html.status()).isEqualTo(410);
        assertThat(html.contentType()).startsWith("text/html");
        assertThat(html.body()).contains("disabled").contains("unsafe");
        assertThat(api.head("/" + slug).status()).isEqualTo(410);
        JsonObject blocked = api.get("/api/v1/links/" + slug).json().getJsonObject("blocked");
        assertThat(blocked.getString("source")).isEqualTo("blocklist");
        assertThat(blocked.getString("reason")).contains("later.example").contains("blocklist.txt");
        assertThat(Instant.parse(blocked.getString("at"))).isNotNull();
        assertThat(api.get("/api/v1/links?q=later.example").json().getJsonArray("items").getJsonObject(0).getJsonObject("blocked"))
                .isNotNull();

        writeList("listed.example\nhttp://shared.example/malware.exe\n");
        assertThat(waitFor(() -> api.get("/" + slug), 302).status()).isEqualTo(302);
        assertThat(api.get("/api/v1/links/" + slug).json().getValue("blocked")).isNull();
    }

    @Test
    void admin_blocksAndUnblocksALinkByHand() {
        String slug = api.create(Map.of("url", "https://example.com/held")).getString("slug");
        assertThat(api.get("/" + slug).status()).isEqualTo(302);

        Resp r = api.post("/api/v1/links/" + slug + "/block", new JsonObject().put("reason", "phishing page, reported twice"));
        assertThat(r.status()).isEqualTo(200);
        JsonObject blocked = r.json().getJsonObject("blocked");
        assertThat(blocked.getString("source")).isEqualTo("admin");
        assertThat(blocked.getString("reason")).isEqualTo("phishing page, reported twice");
        assertThat(Instant.parse(blocked.getString("at"))).isNotNull();
        api.get("/" + slug, "Accept", "application/json").assertProblem(410, "link-blocked");
        assertThat(api.get("/api/v1/links/" + slug).json().getJsonObject("blocked").getString("source")).isEqualTo("admin");

        Resp lifted = api.delete("/api/v1/links/" + slug + "/block", "X-Request-Id", "unblock-" + slug);
        assertThat(lifted.status()).isEqualTo(200);
        assertThat(lifted.json().getValue("blocked")).isNull();
        assertThat(api.get("/" + slug).status()).isEqualTo(302);

        // Both are in the audit trail, with who, why and the request.
        var events = api.get("/api/v1/audit?target=link:" + slug).json().getJsonArray("items");
        JsonObject unblock = events.getJsonObject(0);
        JsonObject block = events.getJsonObject(1);
        assertThat(unblock.getString("action")).isEqualTo("link.unblocked");
        assertThat(unblock.getString("requestId")).isEqualTo("unblock-" + slug);
        assertThat(block.getString("action")).isEqualTo("link.blocked");
        assertThat(block.getJsonObject("changes").getJsonObject("reason").getString("after")).isEqualTo("phishing page, reported twice");
        assertThat(block.getJsonObject("key").getString("name")).isEqualTo("KURZ_API_KEY");
    }

    @Test
    void block_needsAnAdminKey_aReason_andAnExistingLink() {
        String slug = api.create(Map.of("url", "https://example.com/block-rules")).getString("slug");
        Api writer = api.withKey(readOnlyKey());
        writer.post("/api/v1/links/" + slug + "/block", new JsonObject().put("reason", "x")).assertProblem(403, "forbidden");
        writer.delete("/api/v1/links/" + slug + "/block").assertProblem(403, "forbidden");
        api.withKey(null).post("/api/v1/links/" + slug + "/block", new JsonObject().put("reason", "x")).assertProblem(401, "unauthorized");
        api.post("/api/v1/links/" + slug + "/block", new JsonObject()).assertProblem(400, "validation");
        api.post("/api/v1/links/" + slug + "/block", new JsonObject().put("reason", "  ")).assertProblem(400, "validation");
        api.post("/api/v1/links/" + slug + "/block", new JsonObject().put("reason", 3)).assertProblem(400, "validation");
        api.post("/api/v1/links/" + slug + "/block", new JsonObject().put("reason", "x").put("why", "y")).assertProblem(400, "validation");
        api.post("/api/v1/links/no-such-link/block", new JsonObject().put("reason", "x")).assertProblem(404, "link-not-found");
        api.delete("/api/v1/links/no-such-link/block").assertProblem(404, "link-not-found");
        assertThat(api.get("/" + slug).status()).isEqualTo(302);
    }

    // ---- abuse reports ----

    @Test
    void report_withoutAKey_is202_andAdminsSeeIt() {
        Api anonymous = api.withKey(null);
        Resp r = anonymous.post("/api/v1/reports", new JsonObject().put("url", "https://phish.example/login")
                .put("reason", "Asks for my bank password").put("email", "reporter@example.org"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(anonymous.post("/api/v1/reports", new JsonObject().put("slug", "abc123").put("reason", "spam")).status()).isEqualTo(202);
        assertThat(anonymous.post("/api/v1/reports", new JsonObject().put("url", Node.BASE_URL + "/xyz789").put("reason", "malware"))
                .status()).isEqualTo(202);

        JsonArray items = api.get("/api/v1/reports?limit=3").json().getJsonArray("items");
        JsonObject own = items.getJsonObject(0);
        assertThat(own.getString("slug")).as("a short URL of this instance names its slug").isEqualTo("xyz789");
        JsonObject bySlug = items.getJsonObject(1);
        assertThat(bySlug.getString("slug")).isEqualTo("abc123");
        JsonObject byUrl = items.getJsonObject(2);
        assertThat(byUrl.getString("url")).isEqualTo("https://phish.example/login");
        assertThat(byUrl.getString("reason")).isEqualTo("Asks for my bank password");
        assertThat(byUrl.getString("email")).isEqualTo("reporter@example.org");
        assertThat(byUrl.getString("clientIp")).isEqualTo("127.0.0.1");
        assertThat(byUrl.getString("requestId")).isNotBlank();
        assertThat(Instant.parse(byUrl.getString("createdAt"))).isNotNull();

        JsonObject page = api.get("/api/v1/reports?limit=1").json();
        String next = page.getString("nextCursor");
        assertThat(next).isNotNull();
        assertThat(api.get("/api/v1/reports?limit=1&cursor=" + next).json().getJsonArray("items").getJsonObject(0).getLong("id"))
                .isLessThan(page.getJsonArray("items").getJsonObject(0).getLong("id"));
        api.get("/api/v1/reports?cursor=bogus").assertProblem(400, "bad-request");
    }

    @Test
    void reports_listNeedsAnAdminKey() {
        api.withKey(null).get("/api/v1/reports").assertProblem(401, "unauthorized");
        api.withKey(readOnlyKey()).get("/api/v1/reports").assertProblem(403, "forbidden");
    }

    @Test
    void report_isValidatedStrictly() {
        Api anonymous = api.withKey(null);
        anonymous.post("/api/v1/reports", new JsonObject().put("reason", "no target")).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("url", "https://e.example/").put("slug", "abc").put("reason", "both"))
                .assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("url", "https://e.example/")).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("url", "javascript:alert(1)").put("reason", "x")).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("slug", "../etc").put("reason", "x")).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("slug", "abc").put("reason", "x".repeat(2001))).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("slug", "abc").put("reason", "bell\u0007")).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("slug", "abc").put("reason", "x").put("email", "not-an-email"))
                .assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("slug", "abc").put("reason", "x").put("extra", 1)).assertProblem(400, "validation");
        anonymous.post("/api/v1/reports", new JsonObject().put("slug", 5).put("reason", "x")).assertProblem(400, "validation");
        anonymous.raw("POST", "/api/v1/reports", "{\"slug\":\"abc\",\"reason\":\"x\"}", "Content-Type", "text/plain")
                .assertProblem(415, "unsupported-media-type");
        anonymous.raw("POST", "/api/v1/reports", "{nope", "Content-Type", "application/json").assertProblem(400, "malformed-json");
        Resp tooLarge = anonymous.raw("POST", "/api/v1/reports", "{\"slug\":\"abc\",\"reason\":\"" + "x".repeat(20_000) + "\"}",
                "Content-Type", "application/json");
        tooLarge.assertProblem(413, "payload-too-large");
        assertThat(tooLarge.json().getString("detail")).contains("16384");
    }

    @Test
    void report_overTheRateLimit_is429() {
        try {
            node.kurz.abuse().limitReports(ip -> !ip.equals("127.0.0.1"));
            Resp r = api.withKey(null).post("/api/v1/reports", new JsonObject().put("slug", "abc").put("reason", "spam"));
            r.assertProblem(429, "too-many-reports");
            assertThat(r.header("retry-after")).isEqualTo("60");
        } finally {
            node.kurz.abuse().limitReports(ip -> true);
        }
    }
}

package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Smart links end to end over HTTP with real headers: domains by {@code Host}, rules by country
 * (GeoIP of known addresses through a trusted proxy), device/OS/browser (real User-Agent strings)
 * and {@code Accept-Language}, variants, fallback, UTM, password and preview. Each engine runs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SmartLinksContract {
    private Node node;

    /** A node trusting 127.0.0.1 as its proxy (X-Forwarded-For), on the engine under test. */
    abstract Node start();

    @BeforeAll
    void startNode() {
        node = start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) node.close();
    }

    Node node() {
        return node;
    }

    static final String CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    static final String SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    static final String CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    static final String FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    static final String SLACKBOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";
    static final String FACEBOOK = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
    /** Strato, Berlin: DE in the bundled GeoIP database. */
    static final String GERMAN_IP = "85.214.132.117";
    /** Google DNS: US. */
    static final String AMERICAN_IP = "8.8.8.8";

    /** One request on a fresh connection, with a chosen Host header: status, headers (lower case), body. */
    record Http(int status, Map<String, String> headers, String body) {
        String location() {
            return headers.get("location");
        }
    }

    Http http(String method, String path, String host, String body, String... headers) {
        try (Socket s = new Socket("127.0.0.1", node().kurz.port())) {
            s.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
            for (int i = 0; i + 1 < headers.length; i += 2) req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) req.append("Content-Length: ").append(b.length).append("\r\n");
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            String[] lines = text.substring(0, end).split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                h.put(lines[i].substring(0, c).toLowerCase(Locale.ROOT), lines[i].substring(c + 1).strip());
            }
            return new Http(Integer.parseInt(lines[0].substring(9, 12)), h, text.substring(end + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Http get(String path, String host, String... headers) {
        return http("GET", path, host, null, headers);
    }

    Http visit(String path, String ip, String ua, String language) {
        return get(path, "kurz.test", "X-Forwarded-For", ip, "User-Agent", ua, "Accept-Language", language);
    }

    Http unlock(String path, String password, String ip) {
        return http("POST", path, "kurz.test", "password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", ip, "User-Agent", CHROME_WINDOWS);
    }

    JsonObject create(JsonObject link) {
        Resp r = node().api.post("/api/v1/links", link);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    @Test
    void domains_sameSlugOnTwoDomains_resolveByHost_withRootAndNotFoundRedirects() {
        var api = node().api;
        Resp made = api.post("/api/v1/domains", new JsonObject().put("host", "Go.Example.com")
                .put("rootRedirect", "https://example.com/home").put("notFoundRedirect", "https://example.com/missing"));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        assertThat(made.json().getString("host")).isEqualTo("go.example.com");
        assertThat(api.post("/api/v1/domains", new JsonObject().put("host", "go.example.com")).status()).isEqualTo(409);
        assertThat(api.post("/api/v1/links", new JsonObject().put("url", "https://go.example.com/loop")).body())
                .as("a destination on a served domain would loop").contains("redirect to itself");

        create(new JsonObject().put("url", "https://example.com/default").put("slug", "promo"));
        JsonObject branded = create(new JsonObject().put("url", "https://example.com/branded").put("slug", "promo").put("domain", "go.example.com"));
        assertThat(branded.getString("shortUrl")).isEqualTo("http://go.example.com/promo");
        assertThat(branded.getString("domain")).isEqualTo("go.example.com");

        assertThat(get("/promo", "kurz.test").location()).isEqualTo("https://example.com/default");
        assertThat(get("/promo", "go.example.com").location()).isEqualTo("https://example.com/branded");
        assertThat(get("/promo", "GO.example.com:8080").location()).isEqualTo("https://example.com/branded");
        assertThat(get("/", "go.example.com").location()).isEqualTo("https://example.com/home");
        Http unknown = get("/nothing-here", "go.example.com");
        assertThat(unknown.status()).isEqualTo(302);
        assertThat(unknown.location()).isEqualTo("https://example.com/missing");
        assertThat(get("/nothing-here", "kurz.test").status()).isEqualTo(404);

        assertThat(api.get("/api/v1/links/promo?domain=go.example.com").json().getString("url")).isEqualTo("https://example.com/branded");
        assertThat(api.get("/api/v1/links/promo").json().getString("url")).isEqualTo("https://example.com/default");
        JsonArray onBrand = api.get("/api/v1/links?domain=go.example.com").json().getJsonArray("items");
        assertThat(onBrand).hasSize(1);
        assertThat(api.get("/api/v1/links/promo/stats?domain=go.example.com").status()).isEqualTo(200);
        api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/x").put("domain", "nope.example.com"))
                .assertProblem(400, "validation");

        Resp patched = api.patch("/api/v1/domains/go.example.com", new JsonObject().putNull("notFoundRedirect"));
        assertThat(patched.json().getString("notFoundRedirect")).isNull();
        assertThat(get("/nothing-here", "go.example.com").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/domains").json().getJsonArray("items").size()).isGreaterThanOrEqualTo(2);

        api.delete("/api/v1/domains/go.example.com").assertProblem(409, "domain-in-use");
        assertThat(api.delete("/api/v1/links/promo?domain=go.example.com").status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/domains/go.example.com").status()).isEqualTo(204);
        assertThat(get("/promo", "go.example.com").location()).isEqualTo("https://example.com/default");
        api.get("/api/v1/domains/go.example.com").assertProblem(404, "domain-not-found");
    }

    @Test
    void rules_firstMatchWins_byCountryDeviceOsBrowserLanguageAndQuery() {
        JsonArray rules = new JsonArray()
                .add(rule(new JsonObject().put("query", new JsonObject().put("ref", "news")), "https://example.com/news"))
                .add(rule(new JsonObject().put("country", new JsonArray().add("de").add("AT")).put("device", new JsonArray().add("mobile")),
                        "https://example.com/de-mobile"))
                .add(rule(new JsonObject().put("country", new JsonArray().add("DE")), "https://example.com/de"))
                .add(rule(new JsonObject().put("os", new JsonArray().add("iOS")), "https://example.com/ios"))
                .add(rule(new JsonObject().put("browser", new JsonArray().add("firefox")), "https://example.com/firefox"))
                .add(rule(new JsonObject().put("language", new JsonArray().add("fr")), "https://example.com/fr"));
        JsonObject link = create(new JsonObject().put("url", "https://example.com/else").put("slug", "ruled").put("rules", rules));
        assertThat(link.getJsonArray("rules")).hasSize(6);
        assertThat(link.getJsonArray("rules").getJsonObject(1).getJsonObject("if").getJsonArray("country")).containsExactly("DE", "AT");

        assertThat(visit("/ruled", GERMAN_IP, CHROME_ANDROID, "de-DE,de;q=0.9").location()).isEqualTo("https://example.com/de-mobile");
        assertThat(visit("/ruled", GERMAN_IP, CHROME_WINDOWS, "de-DE").location()).isEqualTo("https://example.com/de");
        assertThat(visit("/ruled", AMERICAN_IP, SAFARI_IPHONE, "en-US").location()).isEqualTo("https://example.com/ios");
        assertThat(visit("/ruled", AMERICAN_IP, FIREFOX_LINUX, "en-US").location()).isEqualTo("https://example.com/firefox");
        assertThat(visit("/ruled", AMERICAN_IP, CHROME_WINDOWS, "en-GB,en;q=0.8,fr;q=0.5").location()).isEqualTo("https://example.com/fr");
        assertThat(visit("/ruled", AMERICAN_IP, CHROME_WINDOWS, "en-US,en;q=0.9").location()).isEqualTo("https://example.com/else");
        assertThat(visit("/ruled?ref=news", GERMAN_IP, CHROME_WINDOWS, "de").location()).isEqualTo("https://example.com/news?ref=news");

        long deadline = System.currentTimeMillis() + 10_000;
        JsonArray targets;
        do {
            targets = node().api.get("/api/v1/links/ruled/stats").json().getJsonArray("targets");
        } while (targets.size() < 7 && System.currentTimeMillis() < deadline);
        assertThat(targets.stream().map(o -> ((JsonObject) o).getString("value")))
                .containsExactlyInAnyOrder("rule:0", "rule:1", "rule:2", "rule:3", "rule:4", "rule:5", "https://example.com/else");
    }

    @Test
    void variants_splitVisitors_andEachVisitorKeepsItsVariantForTheDay() {
        create(new JsonObject().put("url", "https://example.com/control").put("slug", "split").put("variants", new JsonArray()
                .add(new JsonObject().put("url", "https://example.com/a").put("weight", 50))
                .add(new JsonObject().put("url", "https://example.com/b").put("weight", 50))));
        Set<String> seen = new HashSet<>();
        for (int i = 1; i <= 40; i++) {
            String ip = "85.214.132." + i;
            String first = visit("/split", ip, CHROME_WINDOWS, "de").location();
            assertThat(first).isIn("https://example.com/a", "https://example.com/b");
            assertThat(visit("/split", ip, CHROME_WINDOWS, "de").location()).as("same visitor, same variant").isEqualTo(first);
            seen.add(first);
        }
        assertThat(seen).as("forty visitors meet both variants").hasSize(2);

        // Stats say which variant was served how often (80 clicks in all), as the live feed does per click.
        long deadline = System.currentTimeMillis() + 10_000;
        JsonArray targets;
        do {
            targets = node().api.get("/api/v1/links/split/stats").json().getJsonArray("targets");
        } while (targets.stream().mapToLong(o -> ((JsonObject) o).getLong("clicks")).sum() < 80 && System.currentTimeMillis() < deadline);
        assertThat(targets.stream().map(o -> ((JsonObject) o).getString("value"))).containsExactlyInAnyOrder("variant:0", "variant:1");
        assertThat(targets.stream().mapToLong(o -> ((JsonObject) o).getLong("clicks")).sum()).isEqualTo(80);
        // And each raw click says which variant it was served.
        JsonArray raw = node().api.get("/api/v1/links/split/clicks?limit=100").json().getJsonArray("items");
        assertThat(raw).hasSize(80);
        assertThat(raw.stream().map(o -> ((JsonObject) o).getString("target"))).containsOnly("variant:0", "variant:1");
    }

    @Test
    void fallback_exhaustedLink_redirectsThereInsteadOf410() {
        create(new JsonObject().put("url", "https://example.com/once").put("slug", "once").put("maxClicks", 1)
                .put("fallbackUrl", "https://example.com/sold-out"));
        assertThat(get("/once", "kurz.test").location()).isEqualTo("https://example.com/once");
        Http after = get("/once", "kurz.test");
        assertThat(after.status()).isEqualTo(302);
        assertThat(after.location()).isEqualTo("https://example.com/sold-out");
    }

    @Test
    void fallback_expiredLink_redirectsThereInsteadOf410() throws InterruptedException {
        java.time.Instant expiry = java.time.Instant.now().plusMillis(1500);
        create(new JsonObject().put("url", "https://example.com/soon").put("slug", "soon").put("expiresAt", expiry.toString())
                .put("fallbackUrl", "https://example.com/too-late"));
        assertThat(get("/soon", "kurz.test").location()).isEqualTo("https://example.com/soon");
        Thread.sleep(Math.max(0, java.time.Duration.between(java.time.Instant.now(), expiry).toMillis()) + 100);
        assertThat(get("/soon", "kurz.test").location()).isEqualTo("https://example.com/too-late");
    }

    @Test
    void batch_takesTheSmartFields() {
        Resp r = node().api.post("/api/v1/links/batch", new JsonObject().put("links", new JsonArray()
                .add(new JsonObject().put("url", "https://example.com/b1").put("slug", "batch-smart")
                        .put("rules", new JsonArray().add(rule(new JsonObject().put("language", new JsonArray().add("de")), "https://example.com/b1-de")))
                        .put("password", "pw"))
                .add(new JsonObject().put("url", "https://example.com/b2").put("variants", new JsonArray()
                        .add(new JsonObject().put("url", "https://example.com/x").put("weight", 99))))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body()).contains("\"passwordProtected\":true", "weights must sum to 100");
        Http form = get("/batch-smart", "kurz.test", "Accept-Language", "de");
        assertThat(form.status()).as("the password comes first").isEqualTo(200);
        assertThat(unlock("/batch-smart", "pw", "192.0.2.50").location()).isEqualTo("https://example.com/b1");
    }

    @Test
    void utm_addedToTheDestination_butTheVisitorsOwnValuesWin() {
        create(new JsonObject().put("url", "https://example.com/shop?x=1").put("slug", "tagged")
                .put("utm", new JsonObject().put("source", "newsletter").put("medium", "email").put("campaign", "spring sale")));
        assertThat(get("/tagged", "kurz.test").location())
                .isEqualTo("https://example.com/shop?x=1&utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale");
        assertThat(get("/tagged?utm_source=friend", "kurz.test").location())
                .isEqualTo("https://example.com/shop?x=1&utm_source=friend&utm_medium=email&utm_campaign=spring+sale");
    }

    @Test
    void password_formThenWrongThenRight_thenTooManyTries() {
        JsonObject link = create(new JsonObject().put("url", "https://example.com/secret").put("slug", "locked").put("password", "hunter2"));
        assertThat(link.getBoolean("passwordProtected")).isTrue();
        assertThat(link.containsKey("password")).isFalse();
        assertThat(link.encode()).doesNotContain("argon2");

        Http form = get("/locked", "kurz.test", "User-Agent", CHROME_WINDOWS);
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.headers().get("content-type")).startsWith("text/html");
        assertThat(form.body()).contains("<form method=\"post\"", "name=\"password\"").doesNotContain("<script", "example.com/secret");

        Http wrong = unlock("/locked", "nope", "192.0.2.10");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("not right", "<form");
        Http right = unlock("/locked", "hunter2", "192.0.2.10");
        assertThat(right.status()).isEqualTo(302);
        assertThat(right.location()).isEqualTo("https://example.com/secret");

        for (int i = 0; i < 8; i++) assertThat(unlock("/locked", "guess" + i, "192.0.2.10").status()).isEqualTo(401);
        Http limited = unlock("/locked", "hunter2", "192.0.2.10");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.headers()).containsKey("retry-after");
        assertThat(unlock("/locked", "hunter2", "192.0.2.11").status()).as("another address has its own tries").isEqualTo(302);

        assertThat(node().api.patch("/api/v1/links/locked", new JsonObject().putNull("password")).json().getBoolean("passwordProtected")).isFalse();
        assertThat(get("/locked", "kurz.test").location()).isEqualTo("https://example.com/secret");
    }

    @Test
    void preview_crawlersGetTheCard_peopleGetTheRedirect() {
        create(new JsonObject().put("url", "https://example.com/article").put("slug", "card").put("preview", new JsonObject()
                .put("title", "Spring <sale>").put("description", "Half price").put("image", "https://example.com/card.png")));
        for (String bot : List.of(SLACKBOT, FACEBOOK)) {
            Http card = get("/card", "kurz.test", "User-Agent", bot);
            assertThat(card.status()).isEqualTo(200);
            assertThat(card.body()).contains("<meta property=\"og:title\" content=\"Spring &lt;sale&gt;\">",
                    "<meta property=\"og:description\" content=\"Half price\">",
                    "<meta property=\"og:image\" content=\"https://example.com/card.png\">",
                    "<meta name=\"twitter:card\" content=\"summary_large_image\">", "href=\"https://example.com/article\"");
        }
        assertThat(get("/card", "kurz.test", "User-Agent", CHROME_WINDOWS).location()).isEqualTo("https://example.com/article");
    }

    @Test
    void validation_namesEachBadField_andScreensEveryNewUrl() {
        var api = node().api;
        Resp bad = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/")
                .put("rules", new JsonArray().add(new JsonObject().put("if", new JsonObject().put("country", new JsonArray().add("Germany")))))
                .put("variants", new JsonArray().add(new JsonObject().put("url", "https://example.com/a").put("weight", 30))));
        bad.assertProblem(400, "validation");
        assertThat(bad.body()).contains("rules[0].if.country", "rules[0].url", "weights must sum to 100");
        Resp shape = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/").put("utm", "nope"));
        shape.assertProblem(400, "validation");
        assertThat(shape.body()).contains("\"field\":\"utm\"");
        Resp refused = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/").put("fallbackUrl", "http://127.0.0.1/admin"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("blocked-destination");
    }

    @Test
    void patch_setsAndClearsEachSmartField() {
        var api = node().api;
        create(new JsonObject().put("url", "https://example.com/plain").put("slug", "morph"));
        Resp set = api.patch("/api/v1/links/morph", new JsonObject()
                .put("rules", new JsonArray().add(rule(new JsonObject().put("device", new JsonArray().add("desktop")), "https://example.com/desk")))
                .put("fallbackUrl", "https://example.com/fb").put("utm", new JsonObject().put("source", "s"))
                .put("preview", new JsonObject().put("title", "T")));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(get("/morph", "kurz.test", "User-Agent", CHROME_WINDOWS).location()).isEqualTo("https://example.com/desk?utm_source=s");
        Resp cleared = api.patch("/api/v1/links/morph", new JsonObject().putNull("rules").putNull("fallbackUrl").putNull("utm").putNull("preview"));
        JsonObject after = cleared.json();
        assertThat(after.getValue("rules")).isNull();
        assertThat(after.getValue("utm")).isNull();
        assertThat(after.getValue("fallbackUrl")).isNull();
        assertThat(get("/morph", "kurz.test", "User-Agent", CHROME_WINDOWS).location()).isEqualTo("https://example.com/plain");
    }

    static JsonObject rule(JsonObject when, String url) {
        return new JsonObject().put("if", when).put("url", url);
    }
}

package dev.kurz.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.link.LinkRules;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated hostile input against a real node, over HTTP: every write endpoint and the redirect
 * path, 50,000 requests a run (the tries below add up). Whatever arrives, the answer is a 2xx–4xx
 * within the deadline (never a 5xx, never a hang), and whatever was stored passes the link rules.
 */
class HostileInputFuzzTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(DEADLINE).build();
    private static final List<String> FIELDS = List.of("url", "slug", "title", "tags", "expiresAt", "maxClicks", "redirectType", "forwardQuery");
    private static final AtomicLong STORED = new AtomicLong();
    private static Node node;
    private static String base;

    @BeforeContainer
    static void start() throws IOException {
        node = Node.sqlite(Files.createTempDirectory("kurz-fuzz"), MutableClock.systemNow(), Map.of());
        base = "http://127.0.0.1:" + node.kurz.port();
        for (String slug : List.of("fz1", "fz2", "fz3")) {
            send("POST", "/api/v1/links", new JsonObject().put("url", "https://example.com/" + slug).put("slug", slug).encode(), true);
        }
    }

    @AfterContainer
    static void stop() {
        // Everything stored, read back through the API, is a link the rules would accept.
        List<JsonObject> all = new ArrayList<>();
        String cursor = null;
        do {
            JsonObject page = new JsonObject(send("GET", "/api/v1/links?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor), null, true).body());
            page.getJsonArray("items").forEach(o -> all.add((JsonObject) o));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        all.forEach(HostileInputFuzzTest::assertValidLink);
        node.close();
    }

    // ---- generators ----

    @Provide
    Arbitrary<String> nasty() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMaxLength(40)),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(40)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(
                        "", " ", "%", "%zz", "%E0%A4%A", "\u0000", "\u007f", "\u202e", "\u200b", "\ufeff", "\ud800", "'; DROP TABLE links;--",
                        "<script>alert(1)</script>", "../../etc/passwd", "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                        "http://127.1/", "http://0x7f000001/", "http://2130706433/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
                        "http://169.254.169.254/latest", "http://localhost:8080/x", "http://kurz.test/fz1", "https://pay\u200bpal.com/",
                        "https://аррӏе.com/", "https://bit.ly/x", "https://user:pw@example.com/", "https://example.com:99999/",
                        "+292278995-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "2030-02-30T00:00:00Z", "9999-12-31T23:59:59Z",
                        "1e3", "NaN", "-0", "null", "true", "x".repeat(9000), "https://example.com/" + "a".repeat(9000))),
                net.jqwik.api.Tuple.of(3, urls()));
    }

    private static Arbitrary<String> urls() {
        Arbitrary<String> scheme = Arbitraries.of("http", "https", "HTTP", "ftp", "javascript", "");
        Arbitrary<String> host = Arbitraries.oneOf(
                Arbitraries.of("example.com", "EXAMPLE.com.", "xn--80ak6aa92e.com", "münchen.de", "127.0.0.1", "10.0.0.1", "[fe80::1]",
                        "0177.0.0.1", "127.000.000.001", "a..b", ".", "-x-.com", "例え.jp"),
                Arbitraries.strings().withCharRange('a', 'z').withChars("-.0123456789").ofMinLength(1).ofMaxLength(20));
        Arbitrary<String> rest = Arbitraries.strings().all().ofMaxLength(30);
        return Combinators.combine(scheme, host, rest).as((s, h, r) -> s + "://" + h + "/" + r);
    }

    @Provide
    Arbitrary<Object> jsonValue() {
        return Arbitraries.oneOf(
                Arbitraries.just(null), Arbitraries.of(true, false),
                Arbitraries.integers(), Arbitraries.longs(), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, -1L, 1_000_000_000_001L),
                Arbitraries.doubles(), Arbitraries.of(1e3, 0.5, -0.0, 301.0),
                nasty().map(s -> (Object) s), nasty().list().ofMaxSize(40).map(l -> (Object) new JsonArray(new ArrayList<>(l))),
                Arbitraries.just(new JsonObject().put("nested", new JsonArray().add(1))));
    }

    @Provide
    Arbitrary<String> linkBody() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.of(FIELDS), nasty());
        Arbitrary<Map<String, Object>> fields = Arbitraries.maps(name, jsonValue()).ofMaxSize(8);
        Arbitrary<String> asJson = fields.map(m -> new JsonObject(new HashMap<>(m)).encode());
        Arbitrary<String> withGoodUrl = fields.map(m -> {
            Map<String, Object> f = new HashMap<>(m);
            f.putIfAbsent("url", "https://example.com/fuzz");
            return new JsonObject(f).encode();
        });
        Arbitrary<String> broken = Combinators.combine(asJson, Arbitraries.of(
                "", "}", "{", " // c", "/* c */", ",\"url\":\"https://evil.example/\"}", "\u0000", "\uffff", "x")).as((j, tail) ->
                j.isEmpty() ? tail : j.substring(0, j.length() - 1) + tail);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, asJson), net.jqwik.api.Tuple.of(4, withGoodUrl), net.jqwik.api.Tuple.of(2, broken),
                net.jqwik.api.Tuple.of(1, nasty()));
    }

    @Provide
    Arbitrary<String> slug() {
        return Arbitraries.oneOf(Arbitraries.of("fz1", "fz2", "fz3", "nope", "api", "health"),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(70));
    }

    // ---- write endpoints ----

    @Property(tries = 14_000, shrinking = ShrinkingMode.OFF)
    void createLink_anyBody_neverFailsOrStoresBadData(@ForAll("linkBody") String body) {
        Answer a = send("POST", "/api/v1/links", body, true);
        assertClientOrSuccess(a, body);
        if (a.status() == 201) {
            STORED.incrementAndGet();
            assertValidLink(new JsonObject(a.body()));
        }
    }

    @Property(tries = 8_000, shrinking = ShrinkingMode.OFF)
    void patchLink_anyBody_neverFails(@ForAll("slug") String slug, @ForAll("linkBody") String body) {
        Answer a = send("PATCH", "/api/v1/links/" + pathSegment(slug), body, true);
        assertClientOrSuccess(a, body);
        if (a.status() == 200) assertValidLink(new JsonObject(a.body()));
    }

    @Property(tries = 3_000, shrinking = ShrinkingMode.OFF)
    void batch_anyItems_neverFails(@ForAll("linkBody") String a1, @ForAll("linkBody") String a2, @ForAll("jsonValue") Object a3) {
        String body = "{\"links\":[" + a1 + "," + a2 + "," + JsonArray.of(a3).encode().replaceAll("^\\[|\\]$", "") + "]}";
        Answer a = send("POST", "/api/v1/links/batch", body, true);
        assertClientOrSuccess(a, body);
        if (a.status() == 200) {
            for (Object r : new JsonObject(a.body()).getJsonArray("results")) {
                JsonObject result = (JsonObject) r;
                if (result.getInteger("status") == 201) assertValidLink(result.getJsonObject("link"));
                else assertThat(result.getInteger("status")).isBetween(400, 499);
            }
        }
    }

    @Property(tries = 7_000, shrinking = ShrinkingMode.OFF)
    void otherWrites_anyBody_neverFail(@ForAll("endpoint") String endpoint, @ForAll("linkBody") String body) {
        String[] parts = endpoint.split(" ", 2);
        boolean anonymous = parts[1].startsWith("/api/v1/reports");
        Answer a = send(parts[0], parts[1], body, !anonymous);
        assertClientOrSuccess(a, endpoint + " " + body);
    }

    @Provide
    Arbitrary<String> endpoint() {
        return Arbitraries.of("POST /api/v1/alerts", "POST /api/v1/keys", "POST /api/v1/reports", "POST /api/v1/links/fz2/block",
                "DELETE /api/v1/links/fz2/block", "PUT /api/v1/links/fz1", "POST /api/v1/links/fz1/stats", "DELETE /api/v1/keys/abc");
    }

    @Property(tries = 3_000, shrinking = ShrinkingMode.OFF)
    void queries_anyParameters_neverFail(@ForAll("query") String path) {
        Answer a = sendRaw("GET " + path + " HTTP/1.1\r\nHost: kurz.test\r\nX-Api-Key: " + Node.ADMIN_KEY + "\r\nConnection: close\r\n\r\n");
        assertClientOrSuccess(a, path);
    }

    @Provide
    Arbitrary<String> query() {
        Arbitrary<String> endpoint = Arbitraries.of("/api/v1/links", "/api/v1/stats", "/api/v1/links/fz1/stats", "/api/v1/links/fz1/clicks",
                "/api/v1/alerts/events", "/api/v1/audit", "/api/v1/links/fz1/qr", "/api/v1/keys", "/api/v1/reports");
        Arbitrary<String> name = Arbitraries.of("q", "limit", "cursor", "tag", "from", "to", "interval", "tz", "format", "size", "ecc", "action");
        Arbitrary<String> value = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(30)
                .map(v -> v.replace("#", "%23").replace(" ", "+"));
        return Combinators.combine(endpoint, name, value, name, value).as((e, n1, v1, n2, v2) -> e + "?" + n1 + "=" + v1 + "&" + n2 + "=" + v2);
    }

    // ---- the redirect path, written byte by byte ----

    @Property(tries = 12_000, shrinking = ShrinkingMode.OFF)
    void redirect_anyTarget_answersAtOnce(@ForAll("target") String target, @ForAll("method") String method) {
        Answer a = sendRaw(method + " " + target + " HTTP/1.1\r\nHost: kurz.test\r\nConnection: close\r\n\r\n");
        assertClientOrSuccess(a, target);
    }

    @Provide
    Arbitrary<String> method() {
        return Arbitraries.of("GET", "HEAD", "GET", "OPTIONS", "DELETE");
    }

    @Provide
    Arbitrary<String> target() {
        Arbitrary<String> path = Arbitraries.oneOf(Arbitraries.of("/fz1", "/fz2", "/nope", "/", "/app/", "/health/ready", "//fz1", "/fz1/"),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(70).map(s -> "/" + s));
        Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(40).map(s -> "?" + s));
        return Combinators.combine(path, query).as((p, q) -> (p + q).replace("\r", "%0D").replace("\n", "%0A").replace(" ", "%20"));
    }

    @Property(tries = 3_000, shrinking = ShrinkingMode.OFF)
    void rawGarbage_answersOrCloses(@ForAll("garbage") String raw) {
        // The client then hangs up its side: an unfinished request must not keep the server waiting on it.
        Answer a = sendRaw(raw, true);
        assertThat(a.status()).as(raw).isLessThan(500);
    }

    @Provide
    Arbitrary<String> garbage() {
        Arbitrary<String> headerName = Arbitraries.of("Host", "Content-Length", "Transfer-Encoding", "Expect", "Upgrade", "Connection",
                "X-Forwarded-For", "Content-Type", "X-Api-Key", "Origin", "X-Request-Id");
        Arbitrary<String> headerValue = Arbitraries.strings().withCharRange(' ', '\u00ff').ofMaxLength(30);
        Arbitrary<String> header = Combinators.combine(headerName, headerValue).as((n, v) -> n + ": " + v + "\r\n");
        Arbitrary<String> line = Arbitraries.of("GET /fz1 HTTP/1.1\r\n", "POST /api/v1/links HTTP/1.1\r\n", "GET /fz1 HTTP/1.0\r\n",
                "GET /fz1 HTTP/2.0\r\n", "BREW /fz1 HTTP/1.1\r\n", "GET fz1 HTTP/1.1\r\n", "GET /fz1\r\n", "\r\n");
        return Combinators.combine(line, header.list().ofMaxSize(6), Arbitraries.strings().ascii().ofMaxLength(20))
                .as((l, hs, body) -> l + String.join("", hs) + "\r\n" + body);
    }

    // ---- checks ----

    private static void assertClientOrSuccess(Answer a, String input) {
        assertThat(a.status()).as("status for %s: %s", abbreviate(input), abbreviate(a.body())).isBetween(200, 499);
    }

    /** A stored link as the API shows it must be one the rules accept as it is. */
    static void assertValidLink(JsonObject l) {
        String url = l.getString("url");
        assertThat(LinkRules.normalizeUrl(url)).as("stored url %s", url).isEqualTo(url);
        assertThat(url).doesNotContain("\u200b");
        assertThat(LinkRules.slugProblem(l.getString("slug"))).as("slug %s", l.getString("slug")).isNull();
        String title = l.getString("title");
        if (title != null) {
            assertThat(title.length()).isBetween(1, LinkRules.MAX_TITLE_LENGTH);
            assertThat(title.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)).as(title).isTrue();
        }
        for (Object t : l.getJsonArray("tags")) {
            String tag = (String) t;
            assertThat(tag).isNotBlank().doesNotContain(",");
            assertThat(tag.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)).isTrue();
        }
        if (l.getString("expiresAt") != null) assertThat(Instant.parse(l.getString("expiresAt")).atZone(java.time.ZoneOffset.UTC).getYear()).isBetween(1970, 9999);
        if (l.getValue("maxClicks") != null) assertThat(l.getLong("maxClicks")).isBetween(1L, LinkRules.MAX_CLICK_LIMIT);
        assertThat(LinkRules.REDIRECT_TYPES).contains(l.getInteger("redirectType"));
    }

    // ---- transport ----

    record Answer(int status, String body) {}

    private static Answer send(String method, String path, String body, boolean withKey) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(base + path)).timeout(DEADLINE);
        } catch (IllegalArgumentException e) {
            return sendRaw(method + " " + path + " HTTP/1.1\r\nHost: kurz.test\r\nConnection: close\r\n\r\n");
        }
        if (withKey) b.header("X-Api-Key", Node.ADMIN_KEY);
        b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("no answer within " + DEADLINE + " to " + method + " " + abbreviate(path) + " " + abbreviate(body));
        } catch (IOException e) {
            throw new AssertionError(method + " " + abbreviate(path) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Bytes as given (ISO-8859-1); the status of the answer, or 0 when the server closed without one. */
    private static Answer sendRaw(String raw) {
        return sendRaw(raw, false);
    }

    private static Answer sendRaw(String raw, boolean halfClose) {
        try (Socket s = new Socket("127.0.0.1", node.kurz.port())) {
            s.setSoTimeout((int) DEADLINE.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (halfClose) s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            if (text.isEmpty()) return new Answer(0, "");
            if (!text.startsWith("HTTP/")) throw new AssertionError("not an HTTP answer: " + abbreviate(text));
            return new Answer(Integer.parseInt(text.substring(9, 12)), "");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + DEADLINE + " to " + abbreviate(raw));
        } catch (IOException e) {
            return new Answer(0, ""); // reset while we were still writing: refused, not failed
        }
    }

    private static String pathSegment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s) {
        if (s == null) return "null";
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}

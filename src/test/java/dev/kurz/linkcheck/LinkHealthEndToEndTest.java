package dev.kurz.linkcheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kurz.testing.Api;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Link health against a real destination server on loopback, checked every 500 ms: a page that
 * starts answering 404 is found broken within an interval, listed by {@code ?health=broken}, and
 * announced once as {@code link.broken} to a webhook.
 */
class LinkHealthEndToEndTest {
    static Node node;
    static Api api;
    static HttpServer destination;
    static final Map<String, Integer> status = new ConcurrentHashMap<>();
    static final List<String> agents = new CopyOnWriteArrayList<>();
    static final AtomicInteger inFlight = new AtomicInteger();
    static final AtomicInteger mostAtOnce = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        destination = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        destination.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        destination.createContext("/", ex -> {
            int now = inFlight.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            agents.add(String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")));
            String path = ex.getRequestURI().getPath();
            int code = status.getOrDefault(path, 200);
            if (path.startsWith("/hop/")) {
                int left = Integer.parseInt(path.substring(5));
                ex.getResponseHeaders().add("Location", left == 0 ? "/fine" : "/hop/" + (left - 1));
                code = 302;
            }
            if (path.equals("/no-head") && ex.getRequestMethod().equals("HEAD")) code = 405;
            inFlight.decrementAndGet();
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        destination.start();
        node = Node.sqlite(Files.createTempDirectory("kurz-health"), Clock.systemUTC(), Map.of(
                "KURZ_ALLOW_PRIVATE_DESTINATIONS", "true",
                "KURZ_WEBHOOK_ALLOW_PRIVATE", "true",
                "KURZ_WEBHOOK_POLL", "50ms",
                "KURZ_LINK_CHECK_INTERVAL", "500ms",
                "KURZ_LINK_CHECK_TIMEOUT", "2s"));
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
        destination.stop(0);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + destination.getAddress().getPort() + path;
    }

    static JsonObject health(String slug) {
        return api.get("/api/v1/links/" + slug).json().getJsonObject("health");
    }

    static void await(String what, long millis, BooleanSupplier done) {
        dev.kurz.testing.Eventually.await(what, millis, done);
    }

    @Test
    void destinationStartsAnswering404_brokenWithinAnInterval_listedAndAnnouncedOnce() throws Exception {
        try (var r = new dev.kurz.webhook.Receiver()) {
            Api.Resp hook = api.post("/api/v1/webhooks", new JsonObject().put("url", r.url()).put("events", new JsonArray().add("link.broken")));
            assertThat(hook.status()).isEqualTo(201);
            r.secret = hook.json().getString("secret");
            api.create(Map.of("url", url("/page"), "slug", "health-page"));
            await("first check ok", 5000, () -> "ok".equals(health("health-page").getString("status")));
            assertThat(health("health-page").getInteger("httpStatus")).isEqualTo(200);
            assertThat(health("health-page").getString("checkedAt")).isNotNull();

            Api.Resp rule = api.post("/api/v1/alerts", new JsonObject().put("link", "health-page").put("kind", "link_broken"));
            assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
            status.put("/page", 404);
            long turned = System.currentTimeMillis();
            await("broken", 5000, () -> "broken".equals(health("health-page").getString("status")));
            // Within one interval (500 ms) plus a round's tick and the request: far below two intervals' worth of slack.
            assertThat(System.currentTimeMillis() - turned).isLessThan(2500);
            JsonObject h = health("health-page");
            assertThat(h.getInteger("httpStatus")).isEqualTo(404);
            assertThat(h.getString("error")).contains("404");

            List<String> broken = api.get("/api/v1/links?health=broken").json().getJsonArray("items").stream()
                    .map(o -> ((JsonObject) o).getString("slug")).toList();
            assertThat(broken).contains("health-page");
            assertThat(api.get("/api/v1/links?health=ok").json().getJsonArray("items").stream()
                    .map(o -> ((JsonObject) o).getString("slug")).toList()).doesNotContain("health-page");
            api.get("/api/v1/links?health=sad").assertProblem(400, "bad-request");

            await("link.broken delivered", 5000, () -> r.acknowledged().size() >= 1);
            Thread.sleep(1200); // more checks, still broken: no second event
            assertThat(r.acknowledged().size()).isEqualTo(1);
            JsonObject event = r.acknowledged().get(0).body();
            assertThat(event.getString("type")).isEqualTo("link.broken");
            assertThat(event.getJsonObject("data").getString("slug")).isEqualTo("health-page");
            assertThat(event.getJsonObject("data").getJsonObject("health").getInteger("httpStatus")).isEqualTo(404);
            assertThat(r.acknowledged()).allMatch(dev.kurz.webhook.Receiver.Received::verified);
            // A new destination forgets the old one's health, and is checked in the next round.
            api.patch("/api/v1/links/health-page", new JsonObject().put("url", url("/moved")));
            assertThat(health("health-page").getString("status")).isNotEqualTo("broken");
            await("the new destination checked", 5000, () -> "ok".equals(health("health-page").getString("status")));
            // The alert rule type: one event, for this link.
            await("alert fired", 3000, () -> api.get("/api/v1/alerts/events").json().getJsonArray("items").stream()
                    .map(JsonObject.class::cast).anyMatch(e -> "link_broken".equals(e.getString("kind")) && "health-page".equals(e.getString("link"))));
        }
    }

    @Test
    void brokenLinkOnABrandedDomain_firesItsOwnRule_notItsNamesakes() {
        assertThat(api.post("/api/v1/domains", new JsonObject().put("host", "go.health.test")).status()).isEqualTo(201);
        api.create(Map.of("url", url("/twin-fine"), "slug", "twin-health"));
        api.create(Map.of("url", url("/twin-branded"), "slug", "twin-health", "domain", "go.health.test"));
        long plain = api.post("/api/v1/alerts", new JsonObject().put("link", "twin-health").put("kind", "link_broken")).json().getLong("id");
        Api.Resp rule = api.post("/api/v1/alerts", new JsonObject().put("link", "twin-health").put("domain", "go.health.test").put("kind", "link_broken"));
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
        long branded = rule.json().getLong("id");
        await("first check ok", 5000, () -> "ok".equals(health("twin-health?domain=go.health.test").getString("status")));

        status.put("/twin-branded", 404);
        await("the branded rule fired", 5000, () -> events().stream().anyMatch(e -> e.getLong("ruleId") == branded));
        JsonObject fired = events().stream().filter(e -> e.getLong("ruleId") == branded).findFirst().orElseThrow();
        assertThat(fired.getString("domain")).isEqualTo("go.health.test");
        assertThat(events()).noneMatch(e -> e.getLong("ruleId") == plain);
        assertThat(health("twin-health").getString("status")).isEqualTo("ok");
    }

    static List<JsonObject> events() {
        return api.get("/api/v1/alerts/events?limit=1000").json().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    }

    @Test
    void headRefused_getUsed_redirectsFollowedUpToFive_honestUserAgent_oneRequestAtATimePerHost() {
        api.create(Map.of("url", url("/no-head"), "slug", "health-nohead"));
        api.create(Map.of("url", url("/hop/4"), "slug", "health-hops"));
        api.create(Map.of("url", url("/hop/7"), "slug", "health-loop"));
        for (int i = 0; i < 5; i++) api.create(Map.of("url", url("/many/" + i), "slug", "health-many-" + i));
        await("checked", 5000, () -> !"unknown".equals(health("health-nohead").getString("status"))
                && !"unknown".equals(health("health-hops").getString("status"))
                && !"unknown".equals(health("health-loop").getString("status")));
        assertThat(health("health-nohead").getString("status")).isEqualTo("ok");
        assertThat(health("health-hops").getString("status")).isEqualTo("ok");
        assertThat(health("health-loop").getString("status")).isEqualTo("broken");
        assertThat(health("health-loop").getString("error")).contains("more than 5 redirects");
        assertThat(agents).allMatch(a -> a.startsWith("Kurz-LinkCheck/1"));
        assertThat(mostAtOnce.get()).as("requests to one host at once").isEqualTo(1);
    }
}

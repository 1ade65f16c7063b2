package dev.kurz.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end on one SQLite node: real receivers on loopback that check signatures as the
 * Standard Webhooks libraries do, failing on purpose. Backoff is shortened (50 ms doubling to
 * 200 ms), the "minute" a receiver is down is 1.5 s; everything else is as in production.
 */
class WebhookEndToEndTest {
    static final Map<String, String> FAST = Map.of(
            "KURZ_WEBHOOK_ALLOW_PRIVATE", "true",
            "KURZ_WEBHOOK_TIMEOUT", "2s",
            "KURZ_WEBHOOK_RETRY_BASE", "50ms",
            "KURZ_WEBHOOK_RETRY_CAP", "200ms",
            "KURZ_WEBHOOK_POLL", "50ms",
            "KURZ_WEBHOOK_BREAKER_OPEN", "200ms",
            "KURZ_WEBHOOK_CLICK_INTERVAL", "300ms",
            "KURZ_LINK_CHECK_INTERVAL", "off");
    static Node node;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        node = Node.sqlite(java.nio.file.Files.createTempDirectory("kurz-wh"), Clock.systemUTC(), FAST);
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static JsonObject subscribe(Receiver r, String... events) {
        Api.Resp made = api.post("/api/v1/webhooks", new JsonObject().put("url", r.url()).put("events", new JsonArray(List.of((Object[]) events)))
                .put("description", "test"));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        r.secret = made.json().getString("secret");
        return made.json();
    }

    static void await(String what, long millis, BooleanSupplier done) {
        dev.kurz.testing.Eventually.await(what, millis, done);
    }

    /** The deliveries that took more than one attempt, for failure messages. */
    static List<Object> retried(JsonObject hook) {
        return api.get("/api/v1/webhooks/" + hook.getLong("id") + "/deliveries?limit=1000").json().getJsonArray("items").stream()
                .filter(o -> ((JsonObject) o).getInteger("attempts") > 1).map(o -> (Object) ((JsonObject) o).getJsonArray("history")).toList();
    }

    /**
     * At least once, never more than the store's history explains: a message arrives twice only when
     * its delivery records an attempt that failed (an answer not read within the deadline on a loaded
     * machine, then a retry). Returns the first arrival of each message, in arrival order.
     */
    static List<Receiver.Received> atLeastOnce(dev.kurz.testing.Api on, JsonObject hook, List<Receiver.Received> all) {
        JsonArray deliveries = on.get("/api/v1/webhooks/" + hook.getLong("id") + "/deliveries?limit=1000").json().getJsonArray("items");
        Map<String, JsonObject> byMessage = new HashMap<>();
        for (Object o : deliveries) byMessage.put(((JsonObject) o).getString("messageId"), (JsonObject) o);
        Map<String, Long> arrivals = all.stream().collect(java.util.stream.Collectors.groupingBy(Receiver.Received::id, java.util.stream.Collectors.counting()));
        arrivals.forEach((id, n) -> {
            JsonObject d = byMessage.get(id);
            assertThat(d).as("delivery of " + id).isNotNull();
            long failed = d.getJsonArray("history").stream().filter(h -> ((JsonObject) h).getString("error") != null
                    || ((JsonObject) h).getInteger("statusCode") == null || ((JsonObject) h).getInteger("statusCode") >= 300).count();
            assertThat(n).as(id + " arrived " + n + " times; its attempts: " + d.getJsonArray("history")).isLessThanOrEqualTo(1 + failed);
        });
        return firstOfEach(all);
    }

    /** The first arrival of each webhook-id, in arrival order: what a receiver that drops repeats keeps. */
    static List<Receiver.Received> firstOfEach(List<Receiver.Received> all) {
        Set<String> seen = new HashSet<>();
        return all.stream().filter(x -> seen.add(x.id())).toList();
    }

    static String slug(Receiver.Received r) {
        JsonObject data = r.body().getJsonObject("data");
        return data.getString("slug");
    }

    @Test
    void linkEvents_deliveredOnceEachSignedInOrderPerLink_withTheirRequestIds() {
        try (Receiver r = new Receiver()) {
            JsonObject hook = subscribe(r, "link.created", "link.updated", "link.deleted");
            assertThat(hook.getString("secret")).startsWith("whsec_");
            assertThat(api.get("/api/v1/webhooks/" + hook.getLong("id")).json().containsKey("secret")).isFalse();
            List<String> slugs = new ArrayList<>();
            Map<String, String> createdBy = new HashMap<>();
            for (int i = 0; i < 8; i++) {
                String slug = "wh-order-" + i;
                Api.Resp c = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/" + i).put("slug", slug));
                assertThat(c.status()).isEqualTo(201);
                createdBy.put(slug, c.header("X-Request-Id"));
                slugs.add(slug);
            }
            for (String s : slugs) {
                api.patch("/api/v1/links/" + s, new JsonObject().put("title", "one"));
                api.patch("/api/v1/links/" + s, new JsonObject().put("title", "two"));
                assertThat(api.delete("/api/v1/links/" + s).status()).isEqualTo(204);
            }
            // Count messages, not arrivals: a message may arrive twice (its answer not read in time on
            // a loaded machine, then a retry), and 32 arrivals could then still miss one message.
            await("32 events acknowledged", 15_000, () -> firstOfEach(r.acknowledged()).size() >= 32);
            List<Receiver.Received> all = r.acknowledged();
            assertThat(all).allMatch(Receiver.Received::verified);
            List<Receiver.Received> got = atLeastOnce(api, hook, all);
            assertThat(got).as("retried: %s; arrivals: %s", retried(hook), all.stream().map(x -> x.n() + ":" + x.id()).toList()).hasSize(32);
            for (String s : slugs) {
                List<Receiver.Received> mine = got.stream().filter(x -> s.equals(slug(x))).toList();
                assertThat(mine.stream().map(x -> x.body().getString("type")).toList())
                        .containsExactly("link.created", "link.updated", "link.updated", "link.deleted");
                assertThat(mine.get(1).body().getJsonObject("data").getString("title")).isEqualTo("one");
                assertThat(mine.get(0).requestId()).isEqualTo(createdBy.get(s));
                assertThat(mine.get(0).body().getString("timestamp")).isNotBlank();
            }
            api.delete("/api/v1/webhooks/" + hook.getLong("id"));
        }
    }

    @Test
    void failingReceiver_500sAndTimeouts_retriedWithBackoffUntilAcknowledged() {
        try (Receiver r = new Receiver()) {
            r.hangMillis = 3000; // past the 2 s timeout
            r.answer = n -> n <= 2 ? 500 : n == 3 ? Receiver.HANG : 200;
            JsonObject hook = subscribe(r, "link.created");
            api.create(Map.of("url", "https://example.com/retry", "slug", "wh-retry"));
            await("acknowledged", 10_000, () -> r.acknowledged().size() == 1);
            JsonObject d = api.get("/api/v1/webhooks/" + hook.getLong("id") + "/deliveries").json().getJsonArray("items").getJsonObject(0);
            assertThat(d.getString("state")).isEqualTo("delivered");
            JsonArray history = d.getJsonArray("history");
            assertThat(history).hasSize(4);
            // The receiver answers 500, 500, nothing for 3 s, 200. The third attempt is always a timeout;
            // on a loaded machine a 500 may also come too late and be recorded as one (seen once).
            List<JsonObject> attempts = history.stream().map(JsonObject.class::cast).toList();
            assertThat(attempts.get(2).getString("error")).as(history.encode()).startsWith("timeout");
            assertThat(attempts.get(2).getLong("durationMs")).isBetween(1900L, 2900L);
            assertThat(attempts.subList(0, 2)).as(history.encode()).allSatisfy(a -> {
                if (a.getInteger("statusCode") == null) assertThat(a.getString("error")).startsWith("timeout");
                else assertThat(a.getString("error")).contains("500");
            }).anyMatch(a -> Integer.valueOf(500).equals(a.getInteger("statusCode")));
            assertThat(attempts.get(3).getInteger("statusCode")).isEqualTo(200);
            assertThat(attempts.get(3).getString("error")).isNull();
            // The same message each time: receivers drop repeats by webhook-id.
            assertThat(r.all.stream().map(Receiver.Received::id).distinct().toList()).hasSize(1);
            api.delete("/api/v1/webhooks/" + hook.getLong("id"));
        }
    }

    @Test
    void receiverDownThenBack_connectionRefusedRetried_nothingLostAndInOrder() {
        try (Receiver r = new Receiver()) {
            JsonObject hook = subscribe(r, "link.created", "link.updated");
            r.stop();
            for (int i = 0; i < 5; i++) {
                api.create(Map.of("url", "https://example.com/down", "slug", "wh-down-" + i));
                api.patch("/api/v1/links/wh-down-" + i, new JsonObject().put("title", "t"));
            }
            sleep(1500); // the receiver's "minute" away
            JsonObject first = api.get("/api/v1/webhooks/" + hook.getLong("id") + "/deliveries?limit=100").json();
            assertThat(first.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("lastError")).filter(e -> e != null))
                    .anyMatch(e -> e.startsWith("connection failed"));
            assertThat(api.get("/api/v1/webhooks/" + hook.getLong("id")).json().getString("failingSince")).isNotNull();
            r.start();
            await("10 events after the receiver is back", 10_000, () -> firstOfEach(r.acknowledged()).size() >= 10);
            // After the restart burst an answer may miss the sender's deadline on a loaded machine: then that one
            // message comes again, with the same webhook-id (at least once). Receivers drop it by that id.
            List<Receiver.Received> got = firstOfEach(r.acknowledged());
            assertThat(got).as("retried: %s", retried(hook)).hasSize(10).allMatch(Receiver.Received::verified);
            for (int i = 0; i < 5; i++) {
                String s = "wh-down-" + i;
                assertThat(got.stream().filter(x -> s.equals(slug(x))).map(x -> x.body().getString("type")).toList())
                        .containsExactly("link.created", "link.updated");
            }
            await("failure run over", 2000, () -> api.get("/api/v1/webhooks/" + hook.getLong("id")).json().getString("failingSince") == null);
            api.delete("/api/v1/webhooks/" + hook.getLong("id"));
        }
    }

    @Test
    void clicks_batchedPerLinkPerInterval_notOneRequestPerClick() {
        try (Receiver r = new Receiver()) {
            JsonObject hook = subscribe(r, "link.clicked");
            api.create(Map.of("url", "https://example.com/clicks", "slug", "wh-clicks"));
            sleep(2100); // the subscription cache (2 s) sees the new endpoint
            for (int i = 0; i < 20; i++) {
                assertThat(api.get("/wh-clicks", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
                        "Referer", "https://news.example/item").status()).isEqualTo(302);
            }
            await("20 clicks reported", 10_000, () -> r.acknowledged().stream().mapToLong(x -> x.body().getJsonObject("data").getLong("clicks")).sum() >= 20);
            List<Receiver.Received> got = r.acknowledged();
            assertThat(got.size()).isLessThanOrEqualTo(4);
            JsonObject data = got.get(0).body().getJsonObject("data");
            assertThat(got.get(0).body().getString("type")).isEqualTo("link.clicked");
            assertThat(data.getString("slug")).isEqualTo("wh-clicks");
            assertThat(data.getJsonObject("referrers").getLong("news.example")).isPositive();
            assertThat(data.containsKey("humans")).isTrue();
            assertThat(data.containsKey("countries")).isTrue();
            api.delete("/api/v1/webhooks/" + hook.getLong("id"));
        }
    }

    @Test
    void rotateSecret_newSecretSigns_oldOneStillAccepted() {
        try (Receiver r = new Receiver()) {
            JsonObject hook = subscribe(r, "link.created");
            String old = r.secret;
            Api.Resp rotated = api.post("/api/v1/webhooks/" + hook.getLong("id") + "/rotate-secret", new JsonObject());
            assertThat(rotated.status()).isEqualTo(200);
            String fresh = rotated.json().getString("secret");
            assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
            r.secret = fresh;
            api.create(Map.of("url", "https://example.com/rot", "slug", "wh-rotated"));
            await("delivered", 5000, () -> r.acknowledged().size() == 1);
            Receiver.Received got = r.acknowledged().get(0);
            assertThat(got.verified()).isTrue();
            // For a day the rotated-out secret signs too: receivers switch over at their own pace.
            assertThat(got.signature().split(" ")).hasSize(2);
            api.delete("/api/v1/webhooks/" + hook.getLong("id"));
        }
    }

    @Test
    void crud_validatesAndAudits() {
        Api.Resp bad = api.post("/api/v1/webhooks", new JsonObject().put("url", "ftp://x.example").put("events", new JsonArray().add("link.created")));
        bad.assertProblem(400, "validation");
        api.post("/api/v1/webhooks", new JsonObject().put("url", "https://x.example/h").put("events", new JsonArray().add("link.exploded")))
                .assertProblem(400, "validation");
        api.post("/api/v1/webhooks", new JsonObject().put("url", "https://x.example/h")).assertProblem(400, "validation");
        JsonObject made = api.post("/api/v1/webhooks", new JsonObject().put("url", "https://x.example/h")
                .put("events", new JsonArray().add("link.broken").add("import.finished"))).json();
        long id = made.getLong("id");
        JsonObject patched = api.patch("/api/v1/webhooks/" + id, new JsonObject().put("enabled", false).put("events", new JsonArray().add("alert.fired"))).json();
        assertThat(patched.getBoolean("enabled")).isFalse();
        assertThat(patched.getJsonArray("events")).containsExactly("alert.fired");
        assertThat(api.get("/api/v1/webhooks").json().getJsonArray("items").stream().map(o -> ((JsonObject) o).getLong("id"))).contains(id);
        api.get("/api/v1/webhooks/999999").assertProblem(404, "webhook-not-found");
        api.post("/api/v1/webhooks/" + id + "/deliveries/12345/retry", new JsonObject()).assertProblem(404, "webhook-delivery-not-found");
        assertThat(api.delete("/api/v1/webhooks/" + id).status()).isEqualTo(204);
        JsonArray audit = api.get("/api/v1/audit?target=webhook:" + id).json().getJsonArray("items");
        Set<String> actions = new HashSet<>();
        audit.forEach(o -> actions.add(((JsonObject) o).getString("action")));
        assertThat(actions).contains("webhook.created", "webhook.updated", "webhook.deleted");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

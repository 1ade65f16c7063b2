package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.Eventually;
import dev.kurz.testing.Node;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Everything that addresses one link addresses it on its domain: with the same slug on the default
 * domain and on a branded one, admin blocks, alert rules and the live feed of a links:own key reach
 * the link asked for and never its namesake; a domain's redirects may not point at a host Kurz
 * serves. Each engine runs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DomainAddressingContract {
    private final Vertx vertx = Vertx.vertx();
    /**
     * One WebSocket client for the class, held until the end: Vert.x closes a client nobody
     * references when the GC finds it, with its connections (a handshake in progress failed with
     * "Connection closed while handshake in process" about 1 run in 10 of the whole suite).
     */
    private final io.vertx.core.http.WebSocketClient sockets = vertx.createWebSocketClient();
    private Node node;
    private Api api;

    abstract Node start();

    @BeforeAll
    void startNode() {
        node = start();
        api = node.api;
    }

    @AfterAll
    void stopNode() throws Exception {
        if (node != null) node.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** A GET with a chosen Host header on a fresh connection: the status line's code and Location. */
    private String[] visit(String host, String path) {
        try (Socket s = new Socket("127.0.0.1", node.kurz.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            String location = null;
            for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("location:")) location = line.substring(9).strip();
            }
            return new String[] {text.substring(9, 12), location};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void domain(String host) {
        Resp r = api.post("/api/v1/domains", new JsonObject().put("host", host));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private JsonObject link(Api as, String slug, String domain, String url) {
        JsonObject body = new JsonObject().put("url", url).put("slug", slug);
        if (domain != null) body.put("domain", domain);
        Resp r = as.post("/api/v1/links", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static String field(Resp r) {
        return r.json().getJsonArray("errors").getJsonObject(0).getString("field");
    }

    @Test
    void create_onABrandedDomain_answersALocationWithItsDomain() {
        domain("go.where.test");
        Resp r = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/w").put("slug", "where").put("domain", "go.where.test"));
        assertThat(r.header("location")).isEqualTo("/api/v1/links/where?domain=go.where.test");
        assertThat(api.get(r.header("location")).json().getString("url")).isEqualTo("https://example.com/w");
    }

    @Test
    void topLinks_nameEachLinkWithItsDomain_soNamesakesStayTwoRows() {
        domain("go.top.test");
        link(api, "toplink", null, "https://example.com/t-default");
        link(api, "toplink", "go.top.test", "https://example.com/t-branded");
        for (int i = 0; i < 3; i++) assertThat(visit("go.top.test", "/toplink")[0]).isEqualTo("302");
        assertThat(visit("kurz.test", "/toplink")[0]).isEqualTo("302");
        Eventually.await("both namesakes in the top links", 10_000, () -> {
            JsonArray top = api.get("/api/v1/stats").json().getJsonArray("topLinks");
            return top.stream().map(JsonObject.class::cast).filter(o -> o.getString("slug").equals("toplink")).count() == 2;
        });
        List<JsonObject> rows = api.get("/api/v1/stats").json().getJsonArray("topLinks").stream().map(JsonObject.class::cast)
                .filter(o -> o.getString("slug").equals("toplink")).toList();
        assertThat(rows).extracting(o -> o.getString("domain"), o -> o.getLong("clicks"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("go.top.test", 3L), org.assertj.core.groups.Tuple.tuple(null, 1L));
    }

    @Test
    void block_withDomain_blocksTheLinkOnThatDomainOnly_andUnblocksIt() {
        domain("go.block.test");
        link(api, "held", null, "https://example.com/default");
        link(api, "held", "go.block.test", "https://example.com/branded");

        Resp blocked = api.post("/api/v1/links/held/block?domain=go.block.test", new JsonObject().put("reason", "phishing on the brand"));
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(200);
        assertThat(blocked.json().getString("domain")).isEqualTo("go.block.test");
        assertThat(blocked.json().getJsonObject("blocked").getString("reason")).isEqualTo("phishing on the brand");
        Eventually.await("the branded link answers 410", 5000, () -> visit("go.block.test", "/held")[0].equals("410"));
        assertThat(visit("kurz.test", "/held")).containsExactly("302", "https://example.com/default");
        assertThat(api.get("/api/v1/links/held").json().getValue("blocked")).isNull();
        assertThat(api.get("/api/v1/links/held?domain=go.block.test").json().getJsonObject("blocked")).isNotNull();

        // The trail names the link by its key, so the two namesakes have two trails.
        JsonArray trail = api.get("/api/v1/audit?target=link:go.block.test/held").json().getJsonArray("items");
        assertThat(trail.getJsonObject(0).getString("action")).isEqualTo("link.blocked");

        assertThat(api.delete("/api/v1/links/held/block?domain=go.block.test").json().getValue("blocked")).isNull();
        Eventually.await("the branded link redirects again", 5000, () -> "302".equals(visit("go.block.test", "/held")[0]));
        assertThat(visit("go.block.test", "/held")[1]).isEqualTo("https://example.com/branded");
        api.post("/api/v1/links/held/block?domain=nope.block.test", new JsonObject().put("reason", "x")).assertProblem(400, "validation");
        api.post("/api/v1/links/only-default/block?domain=go.block.test", new JsonObject().put("reason", "x")).assertProblem(404, "link-not-found");
    }

    @Test
    void alert_forALinkOnABrandedDomain_firesOnItsClicks_notOnItsNamesakes() {
        domain("go.alert.test");
        link(api, "alerted", null, "https://example.com/default");
        link(api, "alerted", "go.alert.test", "https://example.com/branded");
        Resp branded = api.post("/api/v1/alerts", new JsonObject().put("link", "alerted").put("domain", "go.alert.test")
                .put("kind", "clicks_above").put("threshold", 2).put("windowMinutes", 5));
        assertThat(branded.status()).as(branded.toString()).isEqualTo(201);
        assertThat(branded.json().getString("link")).isEqualTo("alerted");
        assertThat(branded.json().getString("domain")).isEqualTo("go.alert.test");
        Resp plain = api.post("/api/v1/alerts", new JsonObject().put("link", "alerted").put("kind", "clicks_above")
                .put("threshold", 2).put("windowMinutes", 5));
        assertThat(plain.json().getValue("domain")).isNull();
        long brandedId = branded.json().getLong("id"), plainId = plain.json().getLong("id");

        for (int i = 0; i < 3; i++) assertThat(visit("go.alert.test", "/alerted")[1]).isEqualTo("https://example.com/branded");
        Eventually.await("the branded rule fires", 10_000, () -> events().stream().anyMatch(e -> e.getLong("ruleId") == brandedId));
        JsonObject fired = events().stream().filter(e -> e.getLong("ruleId") == brandedId).findFirst().orElseThrow();
        assertThat(fired.getString("link")).isEqualTo("alerted");
        assertThat(fired.getString("domain")).isEqualTo("go.alert.test");
        assertThat(fired.getString("message")).contains("go.alert.test/alerted");
        assertThat(events()).noneMatch(e -> e.getLong("ruleId") == plainId);

        api.post("/api/v1/alerts", new JsonObject().put("link", "alerted").put("domain", "nope.alert.test").put("kind", "no_clicks")
                .put("windowMinutes", 5)).assertProblem(400, "validation");
        api.post("/api/v1/alerts", new JsonObject().put("link", "only-default").put("domain", "go.alert.test").put("kind", "no_clicks")
                .put("windowMinutes", 5)).assertProblem(404, "link-not-found");
        api.post("/api/v1/alerts", new JsonObject().put("domain", "go.alert.test").put("kind", "no_clicks").put("windowMinutes", 5))
                .assertProblem(400, "validation");
    }

    private List<JsonObject> events() {
        return api.get("/api/v1/alerts/events?limit=1000").json().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    }

    @Test
    void live_ownKey_followsItsLinkOnABrandedDomainByKey_andNotItsNamesake() throws Exception {
        domain("go.live.test");
        Resp made = api.post("/api/v1/keys", new JsonObject().put("name", "own-live")
                .put("scopes", new JsonArray().add("links:read").add("links:write").add("links:own")));
        String ownKey = made.json().getString("key");
        Api own = api.withKey(ownKey);
        link(api, "mine", null, "https://example.com/admins");
        link(own, "mine", "go.live.test", "https://example.com/own");
        // The web UI of a links:own key reads the domains (its picker, the default host); it may not change them.
        assertThat(own.get("/api/v1/domains").status()).isEqualTo(200);
        own.post("/api/v1/domains", new JsonObject().put("host", "go.own.test")).assertProblem(403, "own-links-only");

        var ws = sockets
                .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.kurz.port()).setURI("/api/v1/live"))
                .await(5, TimeUnit.SECONDS);
        LiveEndToEndTest.Client c = new LiveEndToEndTest.Client(ws);
        c.send(new JsonObject().put("type", "auth").put("key", ownKey));
        c.await(f -> f.getString("type").equals("ready"), 3000);

        c.send(new JsonObject().put("type", "subscribe").put("links", new JsonArray().add("mine")));
        JsonObject err = c.await(f -> f.getString("type").equals("error"), 3000);
        assertThat(err.getInteger("status")).as("the default domain's 'mine' is the admin's").isEqualTo(404);

        c.send(new JsonObject().put("type", "subscribe").put("links", new JsonArray().add("GO.live.test/mine")));
        assertThat(c.await(f -> f.getString("type").equals("subscribed"), 3000).getJsonArray("links").getList()).containsExactly("go.live.test/mine");
        visit("kurz.test", "/mine"); // the namesake's click must not arrive
        visit("go.live.test", "/mine");
        JsonObject clicks = c.await(f -> f.getString("type").equals("clicks"), 5000);
        assertThat(clicks.getString("slug")).isEqualTo("go.live.test/mine");
        assertThat(clicks.getLong("clicks")).isEqualTo(1);

        assertThat(own.patch("/api/v1/links/mine?domain=go.live.test", new JsonObject().put("title", "Mine")).status()).isEqualTo(200);
        JsonObject updated = c.await(f -> f.getString("type").equals("link"), 3000);
        assertThat(updated.getJsonObject("link").getString("domain")).isEqualTo("go.live.test");
        assertThat(updated.getJsonObject("link").getString("title")).isEqualTo("Mine");

        own.get("/api/v1/live/sse?links=mine").assertProblem(404, "link-not-found");
        var stream = own.getAsync("/api/v1/live/sse?links=go.live.test/mine");
        try {
            Resp ended = stream.get(500, TimeUnit.MILLISECONDS);
            throw new AssertionError("the stream ended at once: " + ended);
        } catch (java.util.concurrent.TimeoutException expected) {
            stream.cancel(true);
        }
        ws.close();
    }

    @Test
    void domainRedirects_toAHostKurzServes_are400WithTheField() {
        Resp self = api.post("/api/v1/domains", new JsonObject().put("host", "go.loop.test").put("rootRedirect", "https://GO.loop.test/home"));
        self.assertProblem(400, "validation");
        assertThat(field(self)).isEqualTo("rootRedirect");
        Resp selfPort = api.post("/api/v1/domains", new JsonObject().put("host", "go.loop.test").put("notFoundRedirect", "http://go.loop.test:8080/"));
        selfPort.assertProblem(400, "validation");
        assertThat(field(selfPort)).isEqualTo("notFoundRedirect");
        Resp toDefault = api.post("/api/v1/domains", new JsonObject().put("host", "go.loop.test").put("rootRedirect", "http://kurz.test/x"));
        toDefault.assertProblem(400, "validation");
        assertThat(field(toDefault)).isEqualTo("rootRedirect");
        api.get("/api/v1/domains/go.loop.test").assertProblem(404, "domain-not-found");

        domain("go.loop.test");
        Resp toServed = api.post("/api/v1/domains", new JsonObject().put("host", "go.other.test").put("notFoundRedirect", "https://go.loop.test/promo"));
        toServed.assertProblem(400, "validation");
        assertThat(field(toServed)).isEqualTo("notFoundRedirect");

        Resp patchSelf = api.patch("/api/v1/domains/go.loop.test", new JsonObject().put("rootRedirect", "https://go.loop.test/"));
        patchSelf.assertProblem(400, "validation");
        assertThat(field(patchSelf)).isEqualTo("rootRedirect");
        Resp patchDefault = api.patch("/api/v1/domains/go.loop.test", new JsonObject().put("notFoundRedirect", "http://kurz.test/missing"));
        patchDefault.assertProblem(400, "validation");
        assertThat(field(patchDefault)).isEqualTo("notFoundRedirect");
        assertThat(api.get("/api/v1/domains/go.loop.test").json().getValue("rootRedirect")).isNull();

        Resp fine = api.patch("/api/v1/domains/go.loop.test", new JsonObject().put("rootRedirect", "https://example.com/").put("notFoundRedirect", "https://example.com/404"));
        assertThat(fine.status()).as(fine.toString()).isEqualTo(200);
        assertThat(visit("go.loop.test", "/")).containsExactly("302", "https://example.com/");
    }
}

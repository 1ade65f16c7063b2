package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Keys managed over HTTP, and the audit trail of every change, on an embedded node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysAndAuditEndToEndTest {
    private Node node;
    private Api api;

    @BeforeAll
    void start() {
        node = Node.sqlite(MutableClock.systemNow());
        api = node.api;
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private JsonObject createKey(String name, String... scopes) {
        Resp r = api.post("/api/v1/keys", new JsonObject().put("name", name).put("scopes", new JsonArray(List.of((Object[]) scopes))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static List<String> fields(Resp r) {
        return r.json().getJsonArray("errors").stream().map(o -> ((JsonObject) o).getString("field")).toList();
    }

    private JsonObject auditEntry(String action, String target) {
        JsonArray items = api.get("/api/v1/audit?action=" + action + "&target=" + target).json().getJsonArray("items");
        assertThat(items).as(action + " " + target).isNotEmpty();
        return items.getJsonObject(0);
    }

    // ---- keys ----

    @Test
    void keys_create_showsTheSecretOnce_andTheKeyWorks() {
        Resp r = api.post("/api/v1/keys", new JsonObject().put("name", "CI pipeline").put("scopes", new JsonArray().add("links:read")));
        assertThat(r.status()).isEqualTo(201);
        JsonObject k = r.json();
        assertThat(k.getString("key")).startsWith("kurz_");
        assertThat(k.getString("name")).isEqualTo("CI pipeline");
        assertThat(k.getJsonArray("scopes").getList()).containsExactly("links:read");
        assertThat(k.getString("createdAt")).isNotBlank();
        assertThat(r.header("location")).isEqualTo("/api/v1/keys/" + k.getLong("id"));

        Api reader = api.withKey(k.getString("key"));
        assertThat(reader.get("/api/v1/links").status()).isEqualTo(200);
        reader.post("/api/v1/links", new JsonObject().put("url", "https://e.com")).assertProblem(403, "forbidden");

        Resp list = api.get("/api/v1/keys");
        assertThat(list.body()).doesNotContain(k.getString("key"));
        JsonObject listed = list.json().getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(o -> o.getLong("id").equals(k.getLong("id"))).findFirst().orElseThrow();
        assertThat(listed.fieldNames()).contains("id", "name", "prefix", "scopes", "createdAt", "revokedAt").doesNotContain("key");
        assertThat(k.getString("key")).startsWith(listed.getString("prefix"));
        assertThat(listed.getValue("revokedAt")).isNull();
        assertThat(list.json().getJsonArray("items").stream().map(JsonObject.class::cast).filter(o -> o.getBoolean("current")).count())
                .isEqualTo(1);
    }

    @Test
    void keys_revoke_is204_thenTheKeyIs401_andListedAsRevoked() throws InterruptedException {
        JsonObject k = createKey("short-lived", "links:read");
        Api user = api.withKey(k.getString("key"));
        assertThat(user.get("/api/v1/links").status()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(api.delete("/api/v1/keys/" + k.getLong("id")).status()).isEqualTo(204);
        while (user.get("/api/v1/links").status() != 401) {
            assertThat((System.nanoTime() - t0) / 1_000_000).as("401 within 2 s").isLessThan(2000);
            Thread.sleep(50);
        }
        JsonObject listed = api.get("/api/v1/keys").json().getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(o -> o.getLong("id").equals(k.getLong("id"))).findFirst().orElseThrow();
        assertThat(listed.getString("revokedAt")).isNotBlank();
        assertThat(api.delete("/api/v1/keys/" + k.getLong("id")).status()).as("revoking twice is harmless").isEqualTo(204);
    }

    @Test
    void keys_revokeUnknown_is404() {
        api.delete("/api/v1/keys/999999").assertProblem(404, "key-not-found");
        api.delete("/api/v1/keys/abc").assertProblem(404, "key-not-found");
    }

    @Test
    void keys_invalidRequests_are400NamingEachField() {
        Resp r = api.post("/api/v1/keys", new JsonObject().put("name", "").put("scopes", new JsonArray().add("links:delete")).put("owner", "me"));
        r.assertProblem(400, "validation");
        assertThat(fields(r)).contains("owner", "scopes");
        assertThat(r.json().getJsonArray("errors").encode()).contains("links:read", "is not a known field");

        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", "x".repeat(101)).put("scopes", new JsonArray().add("admin")))))
                .containsExactly("name");
        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", "tab\there").put("scopes", new JsonArray().add("admin")))))
                .containsExactly("name");
        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", 5).put("scopes", "admin")))).containsExactly("name", "scopes");
        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", "ok")))).containsExactly("scopes");
        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", "ok").put("scopes", new JsonArray())))).containsExactly("scopes");
        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", "ok").put("scopes", new JsonArray().add("links:own")))))
                .containsExactly("scopes");
        assertThat(fields(api.post("/api/v1/keys", new JsonObject().put("name", "ok").put("scopes", new JsonArray().add("links:own").add("admin")))))
                .containsExactly("scopes");
        assertThat(api.post("/api/v1/keys", new JsonObject().put("name", "Ünïcode ключ 🔑").put("scopes", new JsonArray().add("admin"))).status())
                .isEqualTo(201);
    }

    @Test
    void keysAndAudit_needAdmin_is403() {
        Api writer = api.withKey(createKey("writer", "links:read", "links:write").getString("key"));
        writer.get("/api/v1/keys").assertProblem(403, "forbidden");
        writer.post("/api/v1/keys", new JsonObject().put("name", "x").put("scopes", new JsonArray().add("admin"))).assertProblem(403, "forbidden");
        writer.delete("/api/v1/keys/1").assertProblem(403, "forbidden");
        writer.get("/api/v1/audit").assertProblem(403, "forbidden");
        api.withKey(null).get("/api/v1/keys").assertProblem(401, "unauthorized");
    }

    @Test
    void keys_lastActiveAdminKey_cannotBeRevoked_409() {
        try (Node solo = Node.sqlite(MutableClock.systemNow())) {
            long own = solo.api.get("/api/v1/keys").json().getJsonArray("items").getJsonObject(0).getLong("id");
            Resp refused = solo.api.delete("/api/v1/keys/" + own);
            refused.assertProblem(409, "last-admin-key");
            assertThat(refused.json().getString("detail")).contains("Create another admin key first");

            Resp second = solo.api.post("/api/v1/keys", new JsonObject().put("name", "second admin").put("scopes", new JsonArray().add("admin")));
            assertThat(solo.api.delete("/api/v1/keys/" + own).status()).as("not the last one any more").isEqualTo(204);
            Api other = solo.api.withKey(second.json().getString("key"));
            other.delete("/api/v1/keys/" + second.json().getLong("id")).assertProblem(409, "last-admin-key");
        }
    }

    // ---- audit ----

    @Test
    void audit_recordsLinkCreatePatchDelete_withKeyRequestIdAndDiff() {
        String json = "application/json";
        Resp created = api.raw("POST", "/api/v1/links", new JsonObject().put("url", "https://example.com/a").put("slug", "audited").encode(),
                "Content-Type", json, "X-Request-Id", "test-123");
        assertThat(created.status()).isEqualTo(201);
        JsonObject c = auditEntry("link.created", "link:audited");
        assertThat(c.getString("requestId")).isEqualTo("test-123");
        assertThat(c.getJsonObject("key").getString("name")).isEqualTo("KURZ_API_KEY");
        assertThat(c.getJsonObject("key").getLong("id")).isPositive();
        assertThat(c.getValue("ip")).as("KURZ_STORE_IP=none keeps no address").isNull();
        assertThat(c.getJsonObject("changes").getJsonObject("url").getString("after")).isEqualTo("https://example.com/a");

        api.raw("PATCH", "/api/v1/links/audited", new JsonObject().put("url", "https://example.com/b").put("title", "B").encode(),
                "Content-Type", json, "X-Request-Id", "test-124");
        JsonObject u = auditEntry("link.updated", "link:audited");
        assertThat(u.getString("requestId")).isEqualTo("test-124");
        assertThat(u.getJsonObject("changes")).isEqualTo(new JsonObject()
                .put("url", new JsonObject().put("before", "https://example.com/a").put("after", "https://example.com/b"))
                .put("title", new JsonObject().put("before", null).put("after", "B")));

        api.raw("DELETE", "/api/v1/links/audited", null, "X-Request-Id", "test-125");
        JsonObject d = auditEntry("link.deleted", "link:audited");
        assertThat(d.getString("requestId")).isEqualTo("test-125");
        assertThat(d.getJsonObject("changes").getJsonObject("url").getString("before")).isEqualTo("https://example.com/b");

        JsonArray trail = api.get("/api/v1/audit?target=link:audited").json().getJsonArray("items");
        assertThat(trail.stream().map(o -> ((JsonObject) o).getString("action")).toList())
                .containsExactly("link.deleted", "link.updated", "link.created");
    }

    @Test
    void audit_recordsBatchItems_andKeyCreateAndRevoke_neverTheSecret() {
        api.post("/api/v1/links/batch", new JsonObject().put("links", new JsonArray()
                .add(new JsonObject().put("url", "https://example.com/1").put("slug", "batch-audit-1"))
                .add(new JsonObject().put("url", "not a url"))));
        assertThat(auditEntry("link.created", "link:batch-audit-1").getJsonObject("changes").getJsonObject("url").getString("after"))
                .isEqualTo("https://example.com/1");

        JsonObject k = createKey("audited key", "links:read", "links:own");
        JsonObject kc = auditEntry("key.created", "key:" + k.getLong("id"));
        assertThat(kc.getJsonObject("changes").getJsonObject("scopes").getJsonArray("after").getList()).containsExactly("links:own", "links:read");
        assertThat(kc.encode()).doesNotContain(k.getString("key"));
        api.delete("/api/v1/keys/" + k.getLong("id"));
        JsonObject kr = auditEntry("key.revoked", "key:" + k.getLong("id"));
        assertThat(kr.getJsonObject("key").getString("name")).isEqualTo("KURZ_API_KEY");
        assertThat(kr.getJsonObject("changes").getJsonObject("revokedAt").getString("after")).isNotBlank();
    }

    @Test
    void audit_recordsAlertRules() {
        api.create(Map.of("url", "https://example.com/alerted", "slug", "alerted"));
        Resp rule = api.post("/api/v1/alerts", new JsonObject().put("link", "alerted").put("kind", "no_clicks").put("windowMinutes", 5));
        long id = rule.json().getLong("id");
        assertThat(auditEntry("alert.created", "alert:" + id).getJsonObject("changes").getJsonObject("kind").getString("after"))
                .isEqualTo("no_clicks");
        api.delete("/api/v1/alerts/" + id);
        assertThat(auditEntry("alert.deleted", "alert:" + id)).isNotNull();
    }

    @Test
    void audit_pagesWithCursor_andRejectsBadParameters() {
        for (int i = 0; i < 3; i++) api.create(Map.of("url", "https://example.com/p" + i, "slug", "audit-page-" + i));
        JsonObject first = api.get("/api/v1/audit?limit=2").json();
        assertThat(first.getJsonArray("items")).hasSize(2);
        JsonObject second = api.get("/api/v1/audit?limit=2&cursor=" + first.getString("nextCursor")).json();
        assertThat(second.getJsonArray("items").getJsonObject(0).getLong("id"))
                .isLessThan(first.getJsonArray("items").getJsonObject(1).getLong("id"));
        api.get("/api/v1/audit?limit=0").assertProblem(400, "bad-request");
        api.get("/api/v1/audit?cursor=nonsense").assertProblem(400, "bad-request");
    }

    @Test
    void audit_keepsTheAddressAsKurzStoreIpSays() throws Exception {
        for (String mode : List.of("anonymized", "full")) {
            try (Node n = Node.sqlite(java.nio.file.Files.createTempDirectory("kurz-ip"), MutableClock.systemNow(), Map.of("KURZ_STORE_IP", mode))) {
                n.api.create(Map.of("url", "https://example.com/ip", "slug", "ip"));
                JsonObject e = n.api.get("/api/v1/audit?action=link.created").json().getJsonArray("items").getJsonObject(0);
                assertThat(e.getString("ip")).isEqualTo(mode.equals("full") ? "127.0.0.1" : "127.0.0.0");
            }
        }
    }

    /** {@code ./kurz keys …} as its own process on a data folder; returns what it printed to stdout. */
    private static String cli(java.nio.file.Path data, String... args) throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(javaCommand, "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kurz.app.Main", "keys"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("KURZ_DATA_DIR", data.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    @Test
    void audit_recordsKeysMadeAndRevokedOnTheCommandLine() throws Exception {
        java.nio.file.Path data = java.nio.file.Files.createTempDirectory("kurz-cli");
        String key = cli(data, "create", "--name", "from the shell", "--scopes", "links:read");
        try (Node n = Node.sqlite(data, MutableClock.systemNow())) {
            long id = n.api.get("/api/v1/keys").json().getJsonArray("items").stream().map(JsonObject.class::cast)
                    .filter(o -> o.getString("name").equals("from the shell")).findFirst().orElseThrow().getLong("id");
            assertThat(n.api.withKey(key).get("/api/v1/links").status()).isEqualTo(200);
            cli(data, "revoke", Long.toString(id));
            JsonArray trail = n.api.get("/api/v1/audit?target=key:" + id).json().getJsonArray("items");
            assertThat(trail.stream().map(o -> ((JsonObject) o).getString("action")).toList()).containsExactly("key.revoked", "key.created");
            JsonObject created = trail.getJsonObject(1);
            assertThat(created.getJsonObject("key").getString("name")).startsWith("cli (");
            assertThat(created.getJsonObject("key").getValue("id")).isNull();
            assertThat(created.encode()).doesNotContain(key);
        }
    }
}

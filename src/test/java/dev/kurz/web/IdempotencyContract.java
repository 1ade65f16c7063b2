package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.idempotency.Idempotency;
import dev.kurz.idempotency.Receipt;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcIdempotencyStore;
import dev.kurz.storage.jdbc.JdbcStore;
import dev.kurz.testing.Api;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Idempotency-Key} on link creation over HTTP, against a real node and database; run for
 * SQLite and PostgreSQL by the subclasses. A second connection to the same database plays "another
 * node" where a test needs a claim that is still running, or one whose node died.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IdempotencyContract {
    private final MutableClock clock = MutableClock.systemNow();
    private Node node;
    private Api api;
    private Database db;
    private long adminKeyId;

    /** A node on a fresh database, with these database settings. */
    abstract Node start(MutableClock clock);

    /** The KURZ_* settings that reach the node's database. */
    abstract Map<String, String> database(Node node);

    @BeforeAll
    void start() {
        node = start(clock);
        api = node.api;
        db = Database.open(KurzConfig.from(new Env(database(node))));
        adminKeyId = api.get("/api/v1/keys").json().getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(k -> k.getString("name").equals("KURZ_API_KEY")).findFirst().orElseThrow().getLong("id");
    }

    @AfterAll
    void stop() {
        db.close();
        node.close();
    }

    private Api.Resp post(String path, String key, JsonObject body) {
        return key == null ? api.post(path, body) : api.raw("POST", path, body.encode(), "Content-Type", "application/json", "Idempotency-Key", key);
    }

    private static JsonObject batch(String tag, int n) {
        JsonArray links = new JsonArray();
        for (int i = 0; i < n; i++) links.add(new JsonObject().put("url", "https://example.com/" + tag + "/" + i).put("tags", new JsonArray().add(tag)));
        return new JsonObject().put("links", links);
    }

    private Set<String> slugsTagged(String tag) {
        Set<String> slugs = new HashSet<>();
        String cursor = null;
        do {
            JsonObject page = api.get("/api/v1/links?limit=100&tag=" + tag + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.getJsonArray("items").forEach(o -> slugs.add(((JsonObject) o).getString("slug")));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        return slugs;
    }

    @Test
    void batchRetry_returnsTheFirstAnswer_andCreatesNothingNew() {
        String tag = "retry" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = batch(tag, 3);
        body.getJsonArray("links").add(new JsonObject().put("url", "https://example.com/custom").put("slug", tag).put("tags", new JsonArray().add(tag)));
        body.getJsonArray("links").add(new JsonObject().put("url", "not a url"));
        String key = UUID.randomUUID().toString();

        Api.Resp first = post("/api/v1/links/batch", key, body);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().getJsonArray("results").stream().map(r -> ((JsonObject) r).getInteger("status")).toList())
                .containsExactly(201, 201, 201, 201, 400);
        Api.Resp again = post("/api/v1/links/batch", key, body);

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(slugsTagged(tag)).hasSize(4);
    }

    @Test
    void singleRetry_returnsTheSame201AndLocation_andCreatesNothingNew() {
        String tag = "one" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = new JsonObject().put("url", "https://example.com/one").put("tags", new JsonArray().add(tag));
        String key = UUID.randomUUID().toString();

        Api.Resp first = post("/api/v1/links", key, body);
        Api.Resp again = post("/api/v1/links", key, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("location")).isEqualTo(first.header("location")).isNotNull();
        assertThat(slugsTagged(tag)).hasSize(1);
    }

    @Test
    void withoutTheHeader_everyRequestCreates() {
        String tag = "plain" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = new JsonObject().put("url", "https://example.com/plain").put("tags", new JsonArray().add(tag));
        assertThat(post("/api/v1/links", null, body).status()).isEqualTo(201);
        assertThat(post("/api/v1/links", null, body).status()).isEqualTo(201);
        assertThat(slugsTagged(tag)).hasSize(2);
    }

    @Test
    void sameKey_withAnotherBody_is422_andCreatesNothing() {
        String tag = "mismatch" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        assertThat(post("/api/v1/links/batch", key, batch(tag, 2)).status()).isEqualTo(200);

        post("/api/v1/links/batch", key, batch(tag, 3)).assertProblem(422, "idempotency-key-mismatch");
        post("/api/v1/links", key, new JsonObject().put("url", "https://example.com/x")).assertProblem(422, "idempotency-key-mismatch");
        assertThat(slugsTagged(tag)).hasSize(2);
    }

    @Test
    void aFailedRequest_storesNothing_soItsRetryRunsAgain() {
        String key = UUID.randomUUID().toString();
        String slug = "taken" + UUID.randomUUID().toString().substring(0, 8);
        api.create(Map.of("url", "https://example.com/first", "slug", slug));
        JsonObject body = new JsonObject().put("url", "https://example.com/second").put("slug", slug);
        post("/api/v1/links", key, body).assertProblem(409, "slug-taken");

        api.delete("/api/v1/links/" + slug);
        Api.Resp retry = post("/api/v1/links", key, body);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isNull();
    }

    @Test
    void aFailedRequest_releasesItsKeyBeforeItAnswers_soAnImmediateRetryIsNotRefused() {
        String key = UUID.randomUUID().toString();
        JsonObject invalid = new JsonObject().put("url", "not a url");
        for (int i = 0; i < 20; i++) {
            post("/api/v1/links", key, invalid).assertProblem(400, "validation");
        }
    }

    @Test
    void concurrentDuplicates_runTheBatchOnce_theOthersAre409OrItsAnswer() {
        String tag = "conc" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = batch(tag, 1000);
        String key = UUID.randomUUID().toString();
        CompletableFuture<Api.Resp> first = CompletableFuture.supplyAsync(() -> post("/api/v1/links/batch", key, body));
        List<Api.Resp> all = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        // Whichever request claims the key first runs the batch. A duplicate that comes while it runs is
        // refused, or (SQLite: its claim queues behind the batch for the one writer) gets its answer.
        while (!first.isDone() || all.stream().noneMatch(r -> r.status() == 200)) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            all.add(post("/api/v1/links/batch", key, body));
        }
        all.add(first.join());
        List<Api.Resp> ran = all.stream().filter(r -> r.status() == 200 && r.header("Idempotent-Replayed") == null).toList();
        assertThat(ran).as("requests that ran the batch").hasSize(1);
        all.stream().filter(r -> r.status() == 409).forEach(r -> {
            r.assertProblem(409, "idempotency-key-in-use");
            assertThat(r.header("retry-after")).isNotNull();
        });
        assertThat(all).allMatch(r -> r.status() == 409 || r.body().equals(ran.get(0).body()));
        assertThat(slugsTagged(tag)).hasSize(1000);
    }

    @Test
    void aDuplicate_whileAnotherNodeRunsTheFirst_is409_andThenGetsTheFirstAnswer() {
        String tag = "busy" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = new JsonObject().put("url", "https://example.com/busy").put("tags", new JsonArray().add(tag));
        String key = UUID.randomUUID().toString();
        // Another node has claimed the key and is still creating the link.
        Idempotency otherNode = new Idempotency(new JdbcIdempotencyStore(db), clock);
        var claim = (Idempotency.Claim) otherNode.begin(adminKeyId, key,
                Idempotency.hash("POST", "/api/v1/links", body.encode().getBytes(StandardCharsets.UTF_8)));

        Api.Resp busy = post("/api/v1/links", key, body).assertProblem(409, "idempotency-key-in-use");
        assertThat(Integer.parseInt(busy.header("retry-after"))).isBetween(1, 30);

        String slug = "busy" + UUID.randomUUID().toString().substring(0, 8);
        String answer = new JsonObject().put("slug", slug).put("url", "https://example.com/busy").encode();
        new JdbcStore(db).insertAll(List.of(new NewLink("https://example.com/busy", slug, null, List.of(tag), null, null, 302, false)),
                clock.instant(), List.<String>of().iterator(), stored -> claim.receipt(201, answer, "/api/v1/links/" + slug));
        Api.Resp after = post("/api/v1/links", key, body);

        assertThat(after.status()).isEqualTo(201);
        assertThat(after.body()).isEqualTo(answer);
        assertThat(after.header("location")).isEqualTo("/api/v1/links/" + slug);
        assertThat(after.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(slugsTagged(tag)).containsExactly(slug);
    }

    @Test
    void aClaimWhoseNodeDied_refusesRetriesUntilItsLeaseEnds_thenARetryRuns() {
        String tag = "crash" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = batch(tag, 5);
        String key = UUID.randomUUID().toString();
        // Another node claimed the key and died mid-batch: its links were never committed.
        Idempotency otherNode = new Idempotency(new JdbcIdempotencyStore(db), clock);
        assertThat(otherNode.begin(adminKeyId, key, Idempotency.hash("POST", "/api/v1/links/batch",
                body.encode().getBytes(StandardCharsets.UTF_8)))).isInstanceOf(Idempotency.Claim.class);

        Api.Resp busy = post("/api/v1/links/batch", key, body).assertProblem(409, "idempotency-key-in-use");
        assertThat(Integer.parseInt(busy.header("retry-after"))).isBetween(1, 30);

        clock.advance(Idempotency.LEASE.plusSeconds(1));
        Api.Resp retry = post("/api/v1/links/batch", key, body);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(post("/api/v1/links/batch", key, body).body()).isEqualTo(retry.body());
        assertThat(slugsTagged(tag)).hasSize(5);
    }

    @Test
    void aKey_expiresAfter24Hours() {
        String tag = "expiry" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body = new JsonObject().put("url", "https://example.com/e").put("tags", new JsonArray().add(tag));
        String key = UUID.randomUUID().toString();
        Api.Resp first = post("/api/v1/links", key, body);

        clock.advance(Duration.ofHours(23));
        assertThat(post("/api/v1/links", key, body).body()).isEqualTo(first.body());
        clock.advance(Duration.ofHours(1).plusSeconds(1));
        Api.Resp later = post("/api/v1/links", key, body);

        assertThat(later.status()).isEqualTo(201);
        assertThat(later.json().getString("slug")).isNotEqualTo(first.json().getString("slug"));
        assertThat(new Idempotency(new JdbcIdempotencyStore(db), clock).purgeExpired()).isGreaterThanOrEqualTo(0);
        assertThat(slugsTagged(tag)).hasSize(2);
    }

    @Test
    void anInvalidKey_is400() {
        post("/api/v1/links", "", new JsonObject().put("url", "https://example.com/k")).assertProblem(400, "idempotency-key-invalid");
        post("/api/v1/links", "x".repeat(256), new JsonObject().put("url", "https://example.com/k"))
                .assertProblem(400, "idempotency-key-invalid");
    }

    @Test
    void aBatchWhoseClaimWasLost_commitsNoLinkAtAll() {
        // The store's all-or-nothing: the answer cannot be stored (a retry took the claim over), so
        // the links written before it in the same transaction are rolled back with it.
        String slug = "lost" + UUID.randomUUID().toString().substring(0, 8);
        JdbcStore store = new JdbcStore(db);
        List<NewLink> links = List.of(new NewLink("https://example.com/lost", slug, null, List.of(), null, null, 302, false),
                new NewLink("https://example.com/lost2", null, null, List.of(), null, null, 302, false));
        assertThatThrownBy(() -> store.insertAll(links, clock.instant(), List.of(slug + "g").iterator(),
                stored -> {
                    assertThat(stored).doesNotContainNull();
                    return new Receipt(adminKeyId, "never-claimed", "no-token", 200, "{}", null);
                })).isInstanceOf(Idempotency.InUseException.class);
        assertThat(store.find(slug)).isEmpty();
        assertThat(store.find(slug + "g")).isEmpty();
        assertThat(api.get("/api/v1/links/" + slug).status()).isEqualTo(404);
    }
}

package dev.kurz.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Imports and exports through the HTTP API of a real (SQLite) node. */
class ImportEndToEndTest {
    private static Node node;
    private static Api api;

    @BeforeAll
    static void start() {
        node = Node.sqlite(Clock.systemUTC());
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static String resource(String name) {
        try (InputStream in = ImportEndToEndTest.class.getResourceAsStream("/imports/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject submit(Api api, String query, String body) {
        Api.Resp r = api.raw("POST", "/api/v1/imports?" + query, body, "Content-Type", "text/csv");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().getString("status")).isEqualTo("queued");
        assertThat(r.header("Location")).isEqualTo("/api/v1/imports/" + r.json().getString("id"));
        return r.json();
    }

    static JsonObject await(Api api, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonObject job = api.get("/api/v1/imports/" + id).json();
            if (List.of("done", "failed", "cancelled").contains(job.getString("status"))) return job;
            if (System.nanoTime() > deadline) throw new AssertionError("import did not finish: " + job);
            sleep(50);
        }
    }

    static JsonObject importFile(Api api, String query, String body) {
        return await(api, submit(api, query, body).getString("id"));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject link(String slug) {
        Api.Resp r = api.get("/api/v1/links/" + slug);
        assertThat(r.status()).as(slug + ": " + r).isEqualTo(200);
        return r.json();
    }

    @Test
    void plainCsv_importsValidRowsAndDeadLettersTheRest() {
        JsonObject job = importFile(api, "format=csv", resource("plain.csv"));
        assertThat(job.getString("status")).isEqualTo("done");
        assertThat(job.getLong("total")).isEqualTo(5);
        assertThat(job.getLong("imported")).isEqualTo(3);
        assertThat(job.getLong("failed")).isEqualTo(2);
        assertThat(job.getString("startedAt")).isNotNull();
        assertThat(job.getString("finishedAt")).isNotNull();
        JsonObject a = link("plain-a");
        assertThat(a.getString("title")).isEqualTo("First");
        assertThat(a.getJsonArray("tags")).containsExactly("news", "tech");
        assertThat(a.getString("createdAt")).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(link("plain-c").getString("title")).isEqualTo("Title, with comma");

        Api.Resp failed = api.get("/api/v1/imports/" + job.getString("id") + "/failed");
        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.contentType()).startsWith("text/csv");
        String[] lines = failed.body().split("\r\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("row,url,slug,title,tags,createdAt,clicks,reason");
        assertThat(lines[1]).startsWith("4,not a url,plain-d,Broken,").contains("url must not contain whitespace");
        assertThat(lines[2]).startsWith("5,https://example.com/e,api,").contains("slug 'api' is reserved");

        // The dead letters are an import file themselves: sent back unchanged, they fail the same way.
        JsonObject again = importFile(api, "format=csv", failed.body());
        assertThat(again.getLong("total")).isEqualTo(2);
        assertThat(again.getLong("failed")).isEqualTo(2);
    }

    @Test
    void bitlyExport_keepsCustomBackHalvesAndClicks() {
        JsonObject job = importFile(api, "format=bitly", resource("bitly.csv"));
        assertThat(job.getLong("imported")).as(job.encode()).isEqualTo(3);
        assertThat(job.getLong("failed")).isEqualTo(1);
        JsonObject sale = link("spring-sale");
        assertThat(sale.getString("url")).isEqualTo("https://www.example.com/spring-sale?utm_source=newsletter");
        assertThat(sale.getLong("clicks")).isEqualTo(1532);
        assertThat(sale.getJsonArray("tags")).containsExactly("marketing", "newsletter");
        assertThat(sale.getString("createdAt")).isEqualTo("2023-03-14T09:26:53Z");
        assertThat(link("3LmN8pQ").getLong("clicks")).isEqualTo(87);
        assertThat(link("4aBcDeF").getString("url")).isEqualTo("https://shop.example.net/p/12345");
        assertThat(api.get("/api/v1/imports/" + job.getString("id") + "/failed").body()).contains("ftp://files.example.com/report.pdf")
                .contains("must use http or https");
    }

    @Test
    void yourlsTable_keywordsBecomeSlugs() {
        JsonObject job = importFile(api, "format=yourls", resource("yourls.csv"));
        assertThat(job.getLong("imported")).as(job.encode()).isEqualTo(3);
        assertThat(job.getLong("failed")).isEqualTo(1);
        JsonObject ozh = link("ozh");
        assertThat(ozh.getLong("clicks")).isEqualTo(327);
        assertThat(ozh.getString("title")).isEqualTo("Ozh RICHARD - Life & Code");
        assertThat(ozh.getString("createdAt")).isEqualTo("2009-06-22T21:56:36Z");
        assertThat(link("yourls").getLong("clicks")).isEqualTo(1042);
        assertThat(api.get("/api/v1/imports/" + job.getString("id") + "/failed").body()).contains("bad key").contains("slug may contain only");
    }

    @Test
    void shlinkExport_tagsAndVisits() {
        JsonObject job = importFile(api, "format=shlink", resource("shlink.csv"));
        assertThat(job.getLong("imported")).as(job.encode()).isEqualTo(3);
        assertThat(job.getLong("failed")).isEqualTo(1);
        JsonObject abc = link("abc123");
        assertThat(abc.getJsonArray("tags")).containsExactly("shop", "products");
        assertThat(abc.getLong("clicks")).isEqualTo(412);
        assertThat(link("launch-2024").getString("createdAt")).isEqualTo("2024-02-03T07:00:00Z");
        // Abuse screening applies to imports as to the API: a private address is refused.
        assertThat(api.get("/api/v1/imports/" + job.getString("id") + "/failed").body()).contains("http://127.0.0.1:8080/admin")
                .contains("public host");
    }

    @Test
    void kuttLinks_fromItsApiListing() {
        JsonObject job = importFile(api, "format=kutt", resource("kutt.json"));
        assertThat(job.getLong("imported")).as(job.encode()).isEqualTo(2);
        assertThat(job.getLong("failed")).isEqualTo(1);
        JsonObject docs = link("readme");
        assertThat(docs.getString("url")).isEqualTo("https://github.com/thedevs-network/kutt#readme");
        assertThat(docs.getString("title")).isEqualTo("Kutt docs");
        assertThat(docs.getLong("clicks")).isEqualTo(204);
        assertThat(link("k7Yt2").getString("createdAt")).isEqualTo("2024-04-02T15:30:12.345Z");
        assertThat(api.get("/api/v1/imports/" + job.getString("id") + "/failed").body()).contains("createdAt: 'yesterday' is not a date");
    }

    @Test
    void takenSlugs_skipRenameOrFail() {
        api.create(Map.of("url", "https://example.com/original", "slug", "conflict-1"));
        String csv = "url,slug\nhttps://example.com/imported,conflict-1\n";
        JsonObject skip = importFile(api, "format=csv&onConflict=skip", csv);
        assertThat(skip.getLong("skipped")).isEqualTo(1);
        assertThat(skip.getLong("imported")).isZero();
        JsonObject fail = importFile(api, "format=csv&onConflict=fail", csv);
        assertThat(fail.getLong("failed")).isEqualTo(1);
        assertThat(api.get("/api/v1/imports/" + fail.getString("id") + "/failed").body()).contains("slug 'conflict-1' is already taken");
        JsonObject rename = importFile(api, "format=csv&onConflict=rename", csv);
        assertThat(rename.getLong("imported")).isEqualTo(1);
        assertThat(link("conflict-1").getString("url")).isEqualTo("https://example.com/original");
        JsonArray found = api.get("/api/v1/links?q=example.com/imported").json().getJsonArray("items");
        assertThat(found).hasSize(1);
        assertThat(found.getJsonObject(0).getString("slug")).isNotEqualTo("conflict-1");
    }

    @Test
    void badParameters_400() {
        api.raw("POST", "/api/v1/imports?format=nope", "x", "Content-Type", "text/csv").assertProblem(400, "bad-request");
        api.raw("POST", "/api/v1/imports?format=csv&onConflict=merge", "x", "Content-Type", "text/csv")
                .assertProblem(400, "bad-request");
        assertThat(api.get("/api/v1/imports/imp_nothing").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/links/export?format=xml").status()).isEqualTo(400);
    }

    @Test
    void multipartForm_firstFileIsTheImport() throws Exception {
        String boundary = "kurzBoundary7MA4YWxkTrZu0gW";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"links.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\nurl,slug\nhttps://example.com/multi,multipart-1\n\r\n--" + boundary + "--\r\n";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.base + "/api/v1/imports?format=csv"))
                .header("X-Api-Key", Node.ADMIN_KEY).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonObject job = await(api, new JsonObject(r.body()).getString("id"));
        assertThat(job.getLong("imported")).isEqualTo(1);
        assertThat(link("multipart-1").getString("url")).isEqualTo("https://example.com/multi");
    }

    @Test
    void exportThenImport_givesTheSameLinks() {
        Node source = Node.sqlite(Clock.systemUTC());
        Node csvTarget = Node.sqlite(Clock.systemUTC());
        Node jsonTarget = Node.sqlite(Clock.systemUTC());
        try {
            Api s = source.api;
            s.create(Map.of("url", "https://example.com/one", "slug", "rt-one", "title", "One, \"quoted\"", "tags", List.of("a", "b|c")));
            s.create(Map.of("url", "https://example.com/two?x=1&y=2", "slug", "rt-two", "expiresAt", "2999-01-01T00:00:00Z",
                    "maxClicks", 50, "redirectType", 301, "forwardQuery", false));
            s.create(Map.of("url", "https://example.com/три"));
            importFile(s, "format=csv", "url,slug,title,tags,createdAt,clicks\nhttps://example.com/old,rt-old,Old,x,2020-02-02T02:02:02Z,77\n");
            List<JsonObject> before = all(s);
            assertThat(before).hasSize(4);

            Api.Resp csv = s.get("/api/v1/links/export?format=csv");
            assertThat(csv.status()).isEqualTo(200);
            assertThat(csv.contentType()).startsWith("text/csv");
            JsonObject viaCsv = importFile(csvTarget.api, "format=kurz", csv.body());
            assertThat(viaCsv.getLong("imported")).as(viaCsv.encode()).isEqualTo(4);
            assertThat(comparable(all(csvTarget.api))).isEqualTo(comparable(before));

            Api.Resp json = s.get("/api/v1/links/export?format=json");
            assertThat(json.status()).isEqualTo(200);
            assertThat(new JsonArray(json.body())).hasSize(4);
            JsonObject viaJson = importFile(jsonTarget.api, "format=kurz", json.body());
            assertThat(viaJson.getLong("imported")).as(viaJson.encode()).isEqualTo(4);
            assertThat(comparable(all(jsonTarget.api))).isEqualTo(comparable(before));
        } finally {
            source.close();
            csvTarget.close();
            jsonTarget.close();
        }
    }

    @Test
    void fullQueue_503WithRetryAfter_andCancelStopsAJob() {
        Node small = Node.sqlite(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).resolve("kurz-q-" + System.nanoTime()),
                Clock.systemUTC(), Map.of("KURZ_IMPORT_QUEUE", "1", "KURZ_IMPORT_CHUNK", "100"));
        try {
            StringBuilder csv = new StringBuilder("url\n");
            for (int i = 0; i < 100_000; i++) csv.append("https://example.com/q/").append(i).append('\n');
            String id = submit(small.api, "format=csv", csv.toString()).getString("id");
            Api.Resp full = small.api.raw("POST", "/api/v1/imports?format=csv", "url\nhttps://example.com/x\n", "Content-Type", "text/csv");
            full.assertProblem(503, "import-queue-full");
            assertThat(full.header("Retry-After")).isEqualTo("30");

            Api.Resp cancelled = small.api.delete("/api/v1/imports/" + id);
            assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
            assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
            sleep(300);
            JsonObject after = small.api.get("/api/v1/imports/" + id).json();
            assertThat(after.getString("status")).isEqualTo("cancelled");
            assertThat(after.getLong("imported")).isLessThan(100_000);
            long imported = after.getLong("imported");
            sleep(300);
            assertThat(small.api.get("/api/v1/imports/" + id).json().getLong("imported")).isEqualTo(imported);
            small.api.delete("/api/v1/imports/" + id).assertProblem(409, "import-finished");
            // Room again.
            assertThat(importFile(small.api, "format=csv", "url\nhttps://example.com/after\n").getLong("imported")).isEqualTo(1);
        } finally {
            small.close();
        }
    }

    @Test
    void tooLargeBody_413() {
        Node tiny = Node.sqlite(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).resolve("kurz-t-" + System.nanoTime()),
                Clock.systemUTC(), Map.of("KURZ_IMPORT_MAX_BYTES", "2048"));
        try {
            String big = "url\n" + "https://example.com/padding\n".repeat(200);
            tiny.api.raw("POST", "/api/v1/imports?format=csv", big, "Content-Type", "text/csv").assertProblem(413, "payload-too-large");
        } finally {
            tiny.close();
        }
    }

    static List<JsonObject> all(Api api) {
        return api.get("/api/v1/links?limit=1000").json().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    }

    /** The links without what an import cannot keep (the time of the import itself). */
    static List<JsonObject> comparable(List<JsonObject> links) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonObject l : links) {
            JsonObject c = l.copy();
            c.remove("updatedAt");
            out.add(c);
        }
        out.sort(Comparator.comparing(o -> o.getString("slug")));
        return out;
    }
}

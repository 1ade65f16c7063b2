package dev.kurz.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client for the tests: JSON in, {@link Resp} out, redirects never followed. */
public final class Api {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public final String base;
    private final String key;

    public Api(String base, String key) {
        this.base = base;
        this.key = key;
    }

    public Api withKey(String otherKey) {
        return new Api(base, otherKey);
    }

    /** A response: status, headers and body as text. */
    public record Resp(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("content-type");
        }

        /** Asserts an RFC 9457 problem of this status and {@code urn:kurz:problem:<type>}, with a title and detail. */
        public Resp assertProblem(int status, String type) {
            org.assertj.core.api.Assertions.assertThat(status()).as(toString()).isEqualTo(status);
            org.assertj.core.api.Assertions.assertThat(contentType()).startsWith("application/problem+json");
            JsonObject p = json();
            org.assertj.core.api.Assertions.assertThat(p.getString("type")).isEqualTo("urn:kurz:problem:" + type);
            org.assertj.core.api.Assertions.assertThat(p.getInteger("status")).isEqualTo(status);
            org.assertj.core.api.Assertions.assertThat(p.getString("title")).isNotBlank();
            org.assertj.core.api.Assertions.assertThat(p.getString("detail")).isNotBlank();
            return this;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Resp get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    public Resp head(String path, String... headers) {
        return send(request(path, headers).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    public Resp delete(String path, String... headers) {
        return send(request(path, headers).DELETE());
    }

    public Resp post(String path, Object json) {
        return send(request(path, "Content-Type", "application/json").POST(body(json)));
    }

    public Resp patch(String path, Object json) {
        return send(request(path, "Content-Type", "application/json").method("PATCH", body(json)));
    }

    public Resp raw(String method, String path, String body, String... headers) {
        return send(request(path, headers).method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    public CompletableFuture<Resp> postAsync(String path, Object json) {
        return sendAsync(request(path, "Content-Type", "application/json").POST(body(json)));
    }

    public CompletableFuture<Resp> getAsync(String path) {
        return sendAsync(request(path).GET());
    }

    /** Creates a link and returns its JSON; fails the test unless the answer is 201. */
    public JsonObject create(Map<String, ?> fields) {
        Resp r = post("/api/v1/links", new JsonObject(new java.util.HashMap<>(fields)));
        if (r.status() != 201) throw new AssertionError("create failed: " + r);
        return r.json();
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("X-Api-Key", key);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b;
    }

    private static HttpRequest.BodyPublisher body(Object json) {
        String s = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode() : String.valueOf(json);
        return HttpRequest.BodyPublishers.ofString(s);
    }

    private static Resp send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<Resp> sendAsync(HttpRequest.Builder b) {
        return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Resp(r.statusCode(), r.headers(), r.body()));
    }
}

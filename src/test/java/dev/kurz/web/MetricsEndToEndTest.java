package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** /metrics: open on the management port, behind the metrics scope on the main port; what it holds after real traffic. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndToEndTest {
    private Node node;
    private Api api;
    private Api management;

    @BeforeAll
    void start() throws IOException {
        node = Node.sqlite(Files.createTempDirectory("kurz-metrics"), Clock.systemUTC(),
                Map.of("KURZ_MANAGEMENT_PORT", Integer.toString(freePort()), "KURZ_MANAGEMENT_HOST", "127.0.0.1"));
        api = node.api;
        management = new Api("http://127.0.0.1:" + node.kurz.managementPort(), null);
    }

    @AfterAll
    void stop() {
        node.close();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void managementPort_servesMetricsAndHealthWithoutKey() {
        Resp metrics = management.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain; version=0.0.4");
        assertThat(metrics.body()).contains(
                "# TYPE kurz_clicks_accepted_total counter", "kurz_clicks_dropped_total 0", "kurz_ratelimit_refused_total ",
                "kurz_redirect_cache_links ", "kurz_live_connections ", "kurz_db_connections_active ", "kurz_db_connections_pending ",
                "jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ", "jvm_classes_loaded_classes ",
                "process_cpu_usage ", "process_files_open_files ", "process_uptime_seconds ");
        assertThat(management.get("/health/live").json().getString("status")).isEqualTo("UP");
        Resp ready = management.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().getJsonObject("checks").getJsonObject("database").getString("status")).isEqualTo("UP");
        assertThat(management.get("/api/v1/links").status()).isEqualTo(404);
    }

    @Test
    void mainPortMetrics_needMetricsScopeOrAdmin() {
        api.withKey(null).get("/metrics").assertProblem(401, "unauthorized");
        String reader = key("links:read");
        api.withKey(reader).get("/metrics").assertProblem(403, "forbidden");
        Resp scoped = api.withKey(key("metrics")).get("/metrics");
        assertThat(scoped.status()).isEqualTo(200);
        assertThat(scoped.body()).contains("kurz_clicks_accepted_total");
        assertThat(api.get("/metrics").status()).as("admin").isEqualTo(200);
    }

    @Test
    void httpTimers_labelApiByRouteTemplateAndStatusClass_andRedirectsByOutcome() {
        Resp created = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/m").put("slug", "metered"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(api.get("/api/v1/links/metered").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/links/nope-" + System.nanoTime()).status()).isEqualTo(404);
        assertThat(api.get("/metered").status()).isEqualTo(302);
        assertThat(api.get("/unknown-slug").status()).isEqualTo(404);

        String m = management.get("/metrics").body();
        assertThat(m).contains(
                "http_server_requests_seconds_count{method=\"POST\",route=\"/api/v1/links\",status=\"2xx\"} 1",
                "http_server_requests_seconds_count{method=\"GET\",route=\"/api/v1/links/:slug\",status=\"2xx\"} 1",
                "http_server_requests_seconds_count{method=\"GET\",route=\"/api/v1/links/:slug\",status=\"4xx\"} 1",
                "http_server_requests_seconds_bucket{method=\"GET\",route=\"/api/v1/links/:slug\",status=\"2xx\",le=\"+Inf\"} 1",
                "kurz_redirects_total{outcome=\"redirect\"} 1",
                "kurz_redirects_total{outcome=\"not_found\"} 1",
                "kurz_redirect_latency_seconds_bucket{outcome=\"redirect\",le=\"0.001\"}");
        // Slugs never become labels: the redirect path has one series per outcome, unknown paths one "other" route.
        assertThat(m).doesNotContain("metered\"", "unknown-slug", "nope-");
    }

    @Test
    void managementPort_off_bindsNothing() throws IOException {
        try (Node off = Node.sqlite(Files.createTempDirectory("kurz-metrics-off"), Clock.systemUTC(),
                Map.of("KURZ_MANAGEMENT_PORT", "off", "KURZ_METRICS_REDIRECTS", "off"))) {
            assertThat(off.kurz.managementPort()).isEqualTo(-1);
            assertThat(off.api.get("/some-redirect").status()).isEqualTo(404);
            assertThat(off.api.get("/metrics").body()).contains("kurz_clicks_accepted_total").doesNotContain("kurz_redirects_total").doesNotContain("kurz_redirect_latency");
        }
    }

    @Test
    void managementPortInUse_failsTheStartNamingTheSetting() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Node.sqlite(Files.createTempDirectory("kurz-metrics-taken"), Clock.systemUTC(),
                            Map.of("KURZ_MANAGEMENT_PORT", Integer.toString(taken.getLocalPort()), "KURZ_MANAGEMENT_HOST", "127.0.0.1")))
                    .isInstanceOf(dev.kurz.config.ConfigException.class)
                    .hasMessageContaining("KURZ_MANAGEMENT_PORT=" + taken.getLocalPort());
        }
    }

    private String key(String... scopes) {
        Resp r = api.post("/api/v1/keys", new JsonObject().put("name", "metrics test").put("scopes", new JsonArray(java.util.List.of((Object[]) scopes))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("key");
    }
}

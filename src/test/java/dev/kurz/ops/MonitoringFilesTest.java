package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/ ask only for metrics Kurz exports:
 * every metric name in their queries appears in a running node's /metrics after some traffic.
 */
class MonitoringFilesTest {
    private static final Path DASHBOARD = Path.of("deploy/grafana/kurz-dashboard.json");
    private static final Path ALERTS = Path.of("deploy/prometheus/kurz-alerts.yaml");
    /** Series Prometheus makes itself when it scrapes. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan");

    @Test
    void dashboardAndAlerts_useOnlyMetricsKurzExports() throws Exception {
        List<String> queries = new ArrayList<>();
        queries.addAll(dashboardQueries());
        queries.addAll(alertQueries());
        Set<String> used = new TreeSet<>();
        queries.forEach(q -> used.addAll(metricNames(q)));
        used.removeAll(PROMETHEUS_OWN);
        assertThat(used).contains("kurz_redirect_latency_seconds_bucket", "kurz_redirects_total", "http_server_requests_seconds_count", "kurz_clicks_dropped_total",
                "kurz_ratelimit_refused_total", "kurz_db_connections_pending", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum");

        Set<String> exported = scrapeAfterTraffic();
        assertThat(used).allSatisfy(name -> assertThat(exported).as("a metric of /metrics").contains(name));
    }

    @Test
    @SuppressWarnings("unchecked")
    void alerts_eachHaveNameExprSeverityAndSummary() throws IOException {
        for (Map<String, Object> rule : alertRules()) {
            assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
            assertThat(((Map<String, Object>) rule.get("labels")).keySet()).contains("severity");
            assertThat(((Map<String, Object>) rule.get("annotations")).keySet()).contains("summary", "description");
        }
        assertThat(alertRules()).extracting(r -> r.get("alert")).contains("KurzInstanceDown", "KurzApiErrorRate", "KurzRedirectLatencyP99",
                "KurzClicksDropped", "KurzDatabasePoolExhausted");
    }

    @Test
    void metricNames_ofAQuery_leaveOutFunctionsLabelsAndRanges() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, route) (rate(http_server_requests_seconds_bucket{instance=~\"$instance\",route!~\"/x.*\"}[$__rate_interval])))"))
                .containsExactly("http_server_requests_seconds_bucket");
        assertThat(metricNames("kurz_db_connections_pending{job=\"kurz\"} > 0 and kurz_db_connections_active >= kurz_db_connections_max"))
                .containsExactlyInAnyOrder("kurz_db_connections_pending", "kurz_db_connections_active", "kurz_db_connections_max");
    }

    static Set<String> metricNames(String promql) {
        String q = promql.replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()").matcher(q);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group(1).toLowerCase())) out.add(m.group(1));
        }
        return out;
    }

    private static List<String> dashboardQueries() throws IOException {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        collectPanels(dashboard.getJsonArray("panels"), out);
        for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            if (variable.getValue("query") instanceof JsonObject q) {
                Matcher m = Pattern.compile("label_values\\((\\w+)").matcher(q.getString("query"));
                if (m.find()) out.add(m.group(1));
            }
        }
        assertThat(out).hasSizeGreaterThan(10);
        return out;
    }

    private static void collectPanels(JsonArray panels, List<String> out) {
        for (Object p : panels) {
            JsonObject panel = (JsonObject) p;
            if (panel.containsKey("panels")) collectPanels(panel.getJsonArray("panels"), out);
            JsonArray targets = panel.getJsonArray("targets");
            if (targets == null) continue;
            for (Object t : targets) out.add(((JsonObject) t).getString("expr"));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alertRules() throws IOException {
        Map<String, Object> doc = new Yaml().load(Files.readString(ALERTS));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    private static List<String> alertQueries() throws IOException {
        return alertRules().stream().map(r -> String.valueOf(r.get("expr"))).toList();
    }

    /** Names of the series a node exports once it has served the API, redirects and seen a GC. */
    private static Set<String> scrapeAfterTraffic() throws IOException, InterruptedException {
        try (Node node = Node.sqlite(Files.createTempDirectory("kurz-monitoring"), Clock.systemUTC())) {
            node.api.create(Map.of("url", "https://example.com/watched", "slug", "watched"));
            node.api.get("/watched");
            node.api.get("/api/v1/links/watched");
            Set<String> names = new TreeSet<>();
            for (int attempt = 0; attempt < 50 && !names.contains("jvm_gc_pause_seconds_sum"); attempt++) {
                System.gc(); // the GC meters appear with the first collection they are told about
                Thread.sleep(100);
                names.clear();
                for (String line : node.api.get("/metrics").body().split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) continue;
                    int end = 0;
                    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
                    names.add(line.substring(0, end));
                }
            }
            return names;
        }
    }
}

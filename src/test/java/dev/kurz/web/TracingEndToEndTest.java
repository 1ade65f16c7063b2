package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.Node;
import dev.kurz.testing.OtlpReceiver;
import dev.kurz.testing.OtlpReceiver.Received;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Traces over OTLP/HTTP, checked by receiving them: API spans, their database children, sampled redirects. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private OtlpReceiver collector;
    private Node node;

    @BeforeAll
    void start() throws IOException {
        collector = new OtlpReceiver();
        node = Node.sqlite(Files.createTempDirectory("kurz-tracing"), Clock.systemUTC(), Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "50",
                "KURZ_TRACE_REDIRECT_RATIO", "1"));
    }

    @AfterAll
    void stop() {
        node.close();
        collector.close();
    }

    @Test
    void apiRequest_spanContinuesTheCallersTrace_withDatabaseChildren() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        Resp created = node.api.raw("POST", "/api/v1/links", new JsonObject().put("url", "https://example.com/traced").put("slug", "traced").encode(),
                "Content-Type", "application/json", "traceparent", "00-" + traceId + "-" + callerSpan + "-01", "X-Request-Id", "trace-req-1");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        Received server = collector.await(s -> s.name().equals("POST /api/v1/links") && s.traceId().equals(traceId), WAIT);
        assertThat(server.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
        assertThat(server.parentSpanId()).isEqualTo(callerSpan);
        assertThat(server.attribute("http.route")).isEqualTo("/api/v1/links");
        assertThat(server.attribute("http.request.method")).isEqualTo("POST");
        assertThat(server.attribute("http.response.status_code")).isEqualTo("201");
        assertThat(server.attribute("kurz.request_id")).isEqualTo("trace-req-1");
        assertThat(server.resource().get("service.name")).isEqualTo("kurz");

        Received insert = collector.await(s -> s.parentSpanId().equals(server.spanId()) && s.name().equals("INSERT links"), WAIT);
        assertThat(insert.traceId()).isEqualTo(traceId);
        assertThat(insert.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
        assertThat(insert.attribute("db.system.name")).isEqualTo("sqlite");
        assertThat(insert.attribute("db.operation.name")).isEqualTo("INSERT");
        assertThat(insert.attribute("db.query.text")).containsIgnoringCase("insert into links").contains("?");
        // The child lies within its parent.
        assertThat(insert.span().getStartTimeUnixNano()).isGreaterThanOrEqualTo(server.span().getStartTimeUnixNano());
        assertThat(insert.span().getEndTimeUnixNano()).isLessThanOrEqualTo(server.span().getEndTimeUnixNano());
    }

    @Test
    void apiRequestWithoutTraceparent_startsANewTrace_namedByRouteTemplate() {
        assertThat(node.api.get("/api/v1/links/missing-one", "X-Request-Id", "trace-req-2").status()).isEqualTo(404);
        Received server = collector.await(s -> "trace-req-2".equals(s.attribute("kurz.request_id")), WAIT);
        assertThat(server.name()).isEqualTo("GET /api/v1/links/:slug");
        assertThat(server.parentSpanId()).isEmpty();
        assertThat(server.attribute("http.response.status_code")).isEqualTo("404");
        Received select = collector.await(s -> s.parentSpanId().equals(server.spanId()), WAIT);
        assertThat(select.name()).startsWith("SELECT");
    }

    @Test
    void sampledRedirect_getsASpanWithItsOutcome() {
        assertThat(node.api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/r").put("slug", "hop")).status()).isEqualTo(201);
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        assertThat(node.api.get("/hop", "traceparent", "00-" + traceId + "-b7ad6b7169203331-01").status()).isEqualTo(302);
        Received redirect = collector.await(s -> s.name().equals("GET /{slug}") && s.traceId().equals(traceId), WAIT);
        assertThat(redirect.parentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(redirect.attribute("kurz.redirect.outcome")).isEqualTo("redirect");
        assertThat(redirect.attribute("http.response.status_code")).isEqualTo("302");
        assertThat(redirect.span().getEndTimeUnixNano()).isGreaterThanOrEqualTo(redirect.span().getStartTimeUnixNano());
    }

    @Test
    void statementsOutsideARequest_makeNoSpans() throws InterruptedException {
        assertThat(node.api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/q").put("slug", "quiet")).status()).isEqualTo(201);
        assertThat(node.api.get("/quiet").status()).isEqualTo(302);
        Thread.sleep(500); // the batcher writes the click (every 100 ms here) outside any request
        List<Received> roots = collector.spans().stream()
                .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT && s.parentSpanId().isEmpty()).toList();
        assertThat(roots).as("database spans without a request (batcher, maintenance)").isEmpty();
    }
}

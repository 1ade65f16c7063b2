package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.kurz.web.ApiRoutes");

    private String encode(LoggingEvent e) {
        return new String(new JsonLogEncoder().encode(e), StandardCharsets.UTF_8);
    }

    @Test
    void event_isOneJsonObjectOnOneLine_withMdcFields() {
        LoggingEvent e = new LoggingEvent(Logger.FQCN, logger, Level.WARN, "GET {}: \"quoted\"\nsecond line\u2028", null, new Object[] {"/api/v1/links"});
        e.setThreadName("vert.x-eventloop-thread-1");
        e.setTimeStamp(1_767_225_600_123L);
        e.setMDCPropertyMap(Map.of("requestId", "abc-1", "traceId", "0af7651916cd43dd8448eb211c80319c"));
        String line = encode(e);

        assertThat(line).endsWith("}\n");
        assertThat(line.strip()).doesNotContain("\n", "\u2028");
        JsonObject o = new JsonObject(line);
        assertThat(o.getString("time")).isEqualTo("2026-01-01T00:00:00.123Z");
        assertThat(o.getString("level")).isEqualTo("WARN");
        assertThat(o.getString("logger")).isEqualTo("dev.kurz.web.ApiRoutes");
        assertThat(o.getString("thread")).isEqualTo("vert.x-eventloop-thread-1");
        assertThat(o.getString("message")).isEqualTo("GET /api/v1/links: \"quoted\"\nsecond line\u2028");
        assertThat(o.getString("requestId")).isEqualTo("abc-1");
        assertThat(o.getString("traceId")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(o.containsKey("exception")).isFalse();
    }

    @Test
    void exception_isItsStackTraceInOneField() {
        LoggingEvent e = new LoggingEvent(Logger.FQCN, logger, Level.ERROR, "failed", new IllegalStateException("boom", new RuntimeException("cause")), null);
        e.setMDCPropertyMap(Map.of());
        JsonObject o = new JsonObject(encode(e));
        assertThat(o.getString("exception")).startsWith("java.lang.IllegalStateException: boom")
                .contains("\tat dev.kurz.ops.JsonLogEncoderTest", "Caused by: java.lang.RuntimeException: cause");
    }
}

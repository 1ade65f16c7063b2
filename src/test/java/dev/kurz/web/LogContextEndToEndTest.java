package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kurz.ops.JsonLogEncoder;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The request id reaches the log lines a request causes on the blocking side (virtual threads):
 * the statement log ({@code dev.kurz.sql} at DEBUG) is written there, in the request's MDC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogContextEndToEndTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger sql;
    private Level before;
    private Node node;

    @BeforeAll
    void start() throws IOException {
        sql = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("dev.kurz.sql");
        before = sql.getLevel();
        sql.setLevel(Level.DEBUG);
        lines.start();
        sql.addAppender(lines);
        node = Node.sqlite(Files.createTempDirectory("kurz-logs"), Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        node.close();
        sql.detachAppender(lines);
        sql.setLevel(before);
    }

    @Test
    void blockingWork_logsUnderTheRequestsId_asJson() {
        var r = node.api.raw("POST", "/api/v1/links", new JsonObject().put("url", "https://example.com/logged").put("slug", "logged").encode(),
                "Content-Type", "application/json", "X-Request-Id", "log-req-1");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("X-Request-Id")).isEqualTo("log-req-1");

        List<ILoggingEvent> mine = lines.list.stream().filter(e -> "log-req-1".equals(e.getMDCPropertyMap().get("requestId"))).toList();
        assertThat(mine).extracting(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.toLowerCase().contains("insert into links"));
        assertThat(mine).extracting(ILoggingEvent::getThreadName).allMatch(t -> !t.contains("eventloop"));

        JsonObject json = new JsonObject(new String(new JsonLogEncoder().encode(mine.getFirst()), StandardCharsets.UTF_8));
        assertThat(json.getString("requestId")).isEqualTo("log-req-1");
        assertThat(json.getString("logger")).isEqualTo("dev.kurz.sql");
        assertThat(json.getString("level")).isEqualTo("DEBUG");
    }

    @Test
    void statementsOfOtherWork_carryNoRequestId_andRequestsDoNotLeakTheirs() throws InterruptedException {
        node.api.raw("GET", "/api/v1/links/none-such", null, "X-Request-Id", "log-req-2");
        Thread.sleep(300); // the next click flush and other background statements
        assertThat(lines.list.stream().filter(e -> e.getThreadName().startsWith("kurz-click") || e.getThreadName().startsWith("kurz-maintenance")))
                .allMatch(e -> e.getMDCPropertyMap().get("requestId") == null);
    }
}

package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The encoder logback.xml configures, with the pattern written there. */
class LogEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.kurz.web.ApiRoutes");

    private static String shippedPattern() throws IOException {
        try (InputStream in = LogEncoderTest.class.getResourceAsStream("/logback.xml")) {
            Matcher m = Pattern.compile("<pattern>(.*?)</pattern>").matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertThat(m.find()).isTrue();
            return m.group(1);
        }
    }

    private String encode(String format, Map<String, String> mdc) throws IOException {
        LogEncoder encoder = new LogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setPattern(shippedPattern());
        encoder.start();
        LoggingEvent e = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "created {}", null, new Object[] {"x"});
        e.setThreadName("kurz-io-3");
        e.setMDCPropertyMap(mdc);
        return new String(encoder.encode(e), StandardCharsets.UTF_8);
    }

    @Test
    void text_showsTheRequestIdWhenThereIsOne() throws IOException {
        assertThat(encode("text", Map.of("requestId", "abc-1"))).endsWith("INFO  [kurz-io-3] d.kurz.web.ApiRoutes - [abc-1] created x\n");
        assertThat(encode("text", Map.of())).endsWith("INFO  [kurz-io-3] d.kurz.web.ApiRoutes - created x\n");
    }

    @Test
    void json_isOneObjectPerLine() throws IOException {
        assertThat(encode("json", Map.of("requestId", "abc-1"))).startsWith("{\"time\":").contains("\"requestId\":\"abc-1\"").endsWith("}\n");
    }
}

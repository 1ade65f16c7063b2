package dev.kurz.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON object per line ({@code KURZ_LOG_FORMAT=json}): {@code time} (RFC 3339, UTC), {@code level},
 * {@code logger}, {@code thread}, {@code message}, {@code exception} (the stack trace, when there is
 * one), then every MDC field ({@code requestId}, {@code traceId}, {@code spanId} during a request).
 * Written here rather than pulled in with a JSON library: twenty lines of escaping.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(e.getTimeStamp())).append('"');
        field(sb, "level", e.getLevel().toString());
        field(sb, "logger", e.getLoggerName());
        field(sb, "thread", e.getThreadName());
        field(sb, "message", e.getFormattedMessage());
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) field(sb, "exception", ThrowableProxyUtil.asString(t));
        Map<String, String> mdc = e.getMDCPropertyMap();
        if (mdc != null) {
            for (Map.Entry<String, String> m : mdc.entrySet()) {
                if (!m.getKey().isEmpty() && m.getValue() != null) field(sb, m.getKey(), m.getValue());
            }
        }
        sb.append("}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(',');
        string(sb, name);
        sb.append(':');
        if (value == null) sb.append("null");
        else string(sb, value);
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // Control characters, and the line and paragraph separators some readers break lines on.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}

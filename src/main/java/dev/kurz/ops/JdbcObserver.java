package dev.kurz.ops;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thin wrapper over the connection pools, installed once at the {@code Database} so no store or
 * feature knows about it: every statement executed inside a traced request becomes a child span
 * ({@code SELECT links}, with {@code db.system.name} and {@code db.query.text}: the SQL with its
 * {@code ?} placeholders, never the values), and with {@code dev.kurz.sql} at DEBUG each statement
 * is logged with its time. Installed only when tracing is on or that logger is enabled at start;
 * otherwise the pools are handed out unwrapped and statements cost nothing extra.
 */
public final class JdbcObserver {
    private static final Logger sqlLog = LoggerFactory.getLogger("dev.kurz.sql");
    private static final Pattern TARGET = Pattern.compile(
            "(?is)^\\s*(?:select\\b.*?\\bfrom|delete\\s+from|insert\\s+into|update|with\\b.*?\\bfrom)\\s+\"?([a-z_][a-z0-9_]*)");

    private final Tracer tracer;
    private final String system;

    /** @param tracer null when tracing is off; @param system {@code sqlite} or {@code postgresql} */
    private JdbcObserver(Tracer tracer, String system) {
        this.tracer = tracer;
        this.system = system;
    }

    /** Whether a wrapper is worth installing at all. */
    public static boolean wanted(Telemetry telemetry) {
        return telemetry.tracing() || sqlLog.isDebugEnabled();
    }

    public static DataSource wrap(DataSource ds, Telemetry telemetry, String system) {
        JdbcObserver o = new JdbcObserver(telemetry.tracing() ? telemetry.tracer() : null, system);
        return (DataSource) proxy(DataSource.class, ds, (target, m, args) -> {
            Object result = invoke(m, target, args);
            return m.getName().equals("getConnection") ? proxy(Connection.class, result, o.connection()) : result;
        });
    }

    private Handler connection() {
        return (target, m, args) -> {
            Object result = invoke(m, target, args);
            String name = m.getName();
            if (name.equals("prepareStatement") || name.equals("prepareCall") || name.equals("createStatement")) {
                String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
                return proxy(m.getReturnType(), result, statement(sql));
            }
            return result;
        };
    }

    private Handler statement(String prepared) {
        return (target, m, args) -> {
            if (!m.getName().startsWith("execute")) return invoke(m, target, args);
            String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : prepared;
            return observe(sql == null ? "" : sql, () -> invoke(m, target, args));
        };
    }

    private interface Call {
        Object call() throws Throwable;
    }

    private Object observe(String sql, Call call) throws Throwable {
        boolean trace = tracer != null && Span.current().getSpanContext().isValid();
        boolean log = sqlLog.isDebugEnabled();
        if (!trace && !log) return call.call();
        long start = System.nanoTime();
        Span span = trace ? tracer.spanBuilder(spanName(sql)).setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system.name", system)
                .setAttribute("db.operation.name", operation(sql))
                .setAttribute("db.query.text", sql)
                .startSpan() : Span.getInvalid();
        try (Scope ignored = span.makeCurrent()) {
            return call.call();
        } catch (Throwable e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
            if (log) sqlLog.debug("{} µs: {}", (System.nanoTime() - start) / 1000, sql.strip());
        }
    }

    /** {@code SELECT links}: the operation and, when plain to see, the table (OpenTelemetry's database span name). */
    static String spanName(String sql) {
        String op = operation(sql);
        Matcher m = TARGET.matcher(sql);
        return m.find() ? op + " " + m.group(1).toLowerCase(Locale.ROOT) : op;
    }

    static String operation(String sql) {
        String s = sql.strip();
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) end++;
        return end == 0 ? "SQL" : s.substring(0, end).toUpperCase(Locale.ROOT);
    }

    @FunctionalInterface
    private interface Handler {
        Object invoke(Object target, Method m, Object[] args) throws Throwable;
    }

    /** The call on the real object, its own exception thrown as is. */
    private static Object invoke(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Object proxy(Class<?> type, Object target, Handler h) {
        if (target == null || !type.isInterface()) return target;
        InvocationHandler ih = (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "equals" -> p == args[0];
                    case "hashCode" -> System.identityHashCode(p);
                    default -> "observed " + target;
                };
            }
            return h.invoke(target, m, args);
        };
        return Proxy.newProxyInstance(JdbcObserver.class.getClassLoader(), new Class<?>[] {type}, ih);
    }
}

package dev.kurz.config;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/** Reads typed settings from a variable map once; every failure names the variable and the value. */
public final class Env {
    private final Map<String, String> vars;

    public Env(Map<String, String> vars) {
        this.vars = Map.copyOf(vars);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    public String string(String name, String fallback) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /**
     * A secret: {@code NAME}, or the content of the file named by {@code NAME_FILE} (the container
     * secrets convention; one trailing newline is dropped). Both set is an error, as is an
     * unreadable or empty file.
     */
    public String secret(String name) {
        String direct = string(name, null);
        String file = string(name + "_FILE", null);
        if (file == null) return direct;
        if (direct != null) throw new ConfigException(name + " and " + name + "_FILE are both set: set only one");
        String content;
        try {
            content = java.nio.file.Files.readString(java.nio.file.Path.of(file), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | RuntimeException e) {
            throw ConfigException.bad(name + "_FILE", file, "the path of a readable file holding the value (" + e.getClass().getSimpleName() + ")");
        }
        String value = content.strip();
        if (value.isEmpty()) throw ConfigException.bad(name + "_FILE", file, "a file that is not empty");
        return value;
    }

    /** Every non-blank variable whose name starts with {@code prefix} (e.g. the standard {@code OTEL_*} ones). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new java.util.TreeMap<>();
        vars.forEach((k, v) -> {
            if (k.startsWith(prefix) && v != null && !v.isBlank()) out.put(k, v.trim());
        });
        return Map.copyOf(out);
    }

    public int integer(String name, int fallback, int min, int max) {
        return parse(name, fallback, s -> {
            int n = Integer.parseInt(s);
            if (n < min || n > max) throw new IllegalArgumentException();
            return n;
        }, "a whole number from " + min + " to " + max);
    }

    public long longValue(String name, long fallback, long min, long max) {
        return parse(name, fallback, s -> {
            long n = Long.parseLong(s);
            if (n < min || n > max) throw new IllegalArgumentException();
            return n;
        }, "a whole number from " + min + " to " + max);
    }

    /** Durations as "250ms", "30s", "5m", "1h" or a bare number of seconds. */
    public Duration duration(String name, Duration fallback) {
        return parse(name, fallback, Env::parseDuration, "a duration such as 500ms, 30s, 5m or 1h");
    }

    private <T> T parse(String name, T fallback, Function<String, T> parser, String expected) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            return parser.apply(v.trim());
        } catch (RuntimeException e) {
            throw ConfigException.bad(name, v, expected);
        }
    }

    static Duration parseDuration(String s) {
        String t = s.toLowerCase();
        Duration d;
        if (t.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        else if (t.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        else if (t.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        else if (t.endsWith("h")) d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
        else d = Duration.ofSeconds(Long.parseLong(t));
        if (d.isNegative()) throw new IllegalArgumentException();
        return d;
    }
}

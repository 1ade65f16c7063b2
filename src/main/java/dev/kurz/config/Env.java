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

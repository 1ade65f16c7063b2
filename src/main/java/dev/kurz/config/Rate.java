package dev.kurz.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate-limit setting: {@code tokens} per {@code window}, as a token bucket that holds at most
 * {@code tokens} and refills them evenly over the window; or off. Written {@code 100/s},
 * {@code 600/min}, {@code 5000/h}, {@code 20/10min}, {@code 1000/day} or {@code off}.
 */
public record Rate(long tokens, Duration window) {
    public static final Rate OFF = new Rate(0, Duration.ZERO);
    static final String EXPECTED = "a rate such as 100/s, 600/min, 5000/h or 20/10min (requests per window), or off";
    static final long MAX_TOKENS = 1_000_000_000L;
    private static final Pattern FORM = Pattern.compile("(\\d{1,10})\\s*/\\s*(\\d{0,6})\\s*([a-z]+)");

    public Rate {
        if (tokens < 0 || window.isNegative()) throw new IllegalArgumentException("negative rate");
    }

    public static Rate of(long tokens, Duration window) {
        return new Rate(tokens, window);
    }

    public boolean off() {
        return tokens == 0;
    }

    /** The window in whole seconds, as the RateLimit-Policy header's {@code w} wants it. */
    public long windowSeconds() {
        return window.toSeconds();
    }

    /**
     * Parses the written form (case and spaces ignored).
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static Rate parse(String raw) {
        String s = raw.strip().toLowerCase(Locale.ROOT);
        if (s.equals("off")) return OFF;
        Matcher m = FORM.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException(raw);
        long tokens = Long.parseLong(m.group(1));
        long count = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
        Duration unit = switch (m.group(3)) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            case "h", "hour" -> Duration.ofHours(1);
            case "d", "day" -> Duration.ofDays(1);
            default -> throw new IllegalArgumentException(raw);
        };
        Duration window = unit.multipliedBy(count);
        if (tokens < 1 || tokens > MAX_TOKENS || count < 1 || window.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException(raw);
        }
        return new Rate(tokens, window);
    }

    /** The setting {@code name}, or {@code fallback} when unset; a bad value stops the start naming the variable. */
    public static Rate from(Env env, String name, Rate fallback) {
        String v = env.string(name, null);
        if (v == null) return fallback;
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            throw ConfigException.bad(name, v, EXPECTED);
        }
    }

    @Override
    public String toString() {
        if (off()) return "off";
        long w = window.toSeconds();
        if (w % 86_400 == 0) return tokens + "/" + (w == 86_400 ? "" : w / 86_400) + "day";
        if (w % 3600 == 0) return tokens + "/" + (w == 3600 ? "" : w / 3600) + "h";
        if (w % 60 == 0) return tokens + "/" + (w == 60 ? "" : w / 60) + "min";
        return tokens + "/" + (w == 1 ? "" : w) + "s";
    }
}

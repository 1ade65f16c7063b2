package dev.kurz.config;

import java.time.Duration;

/**
 * Outgoing integrations (README, "Webhooks" and "Link health"): webhook delivery (receivers on
 * private addresses refused unless {@code allowPrivate}; each attempt within {@code timeout};
 * retries from {@code retryBase} doubling to {@code retryCap}, with jitter, for {@code retryFor};
 * an endpoint failing for {@code disableAfter} is disabled; its circuit breaker stays open
 * {@code breakerOpen}; the outbox polled every {@code poll}, {@code concurrency} deliveries at once
 * per node; clicks summed per link over {@code clickInterval}) and link health checks (every
 * {@code linkCheckInterval}, null: off; each request within {@code linkCheckTimeout};
 * {@code linkCheckConcurrency} hosts at once).
 */
public record Integrations(boolean allowPrivate, Duration timeout, Duration retryBase, Duration retryCap, Duration retryFor,
                           Duration disableAfter, Duration breakerOpen, Duration poll, int concurrency, Duration clickInterval,
                           Duration linkCheckInterval, Duration linkCheckTimeout, int linkCheckConcurrency) {
    public static final Integrations DEFAULTS = new Integrations(false, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofHours(1),
            Duration.ofHours(24), Duration.ofDays(3), Duration.ofSeconds(30), Duration.ofSeconds(1), 8, Duration.ofSeconds(60),
            Duration.ofDays(1), Duration.ofSeconds(10), 4);

    public boolean linkChecks() {
        return linkCheckInterval != null;
    }

    static Integrations from(Env env) {
        String allow = env.string("KURZ_WEBHOOK_ALLOW_PRIVATE", "false").toLowerCase(java.util.Locale.ROOT);
        if (!allow.equals("true") && !allow.equals("false")) throw ConfigException.bad("KURZ_WEBHOOK_ALLOW_PRIVATE", allow, "true or false");
        Duration timeout = within(env, "KURZ_WEBHOOK_TIMEOUT", DEFAULTS.timeout(), Duration.ofMillis(100), Duration.ofSeconds(60), "100ms to 60s");
        Duration base = within(env, "KURZ_WEBHOOK_RETRY_BASE", DEFAULTS.retryBase(), Duration.ofMillis(10), Duration.ofHours(1), "10ms to 1h");
        Duration cap = within(env, "KURZ_WEBHOOK_RETRY_CAP", DEFAULTS.retryCap(), base, Duration.ofDays(1), "KURZ_WEBHOOK_RETRY_BASE to 24h");
        Duration retryFor = within(env, "KURZ_WEBHOOK_RETRY_FOR", DEFAULTS.retryFor(), Duration.ofSeconds(1), Duration.ofDays(30), "1s to 720h");
        Duration disable = within(env, "KURZ_WEBHOOK_DISABLE_AFTER", DEFAULTS.disableAfter(), Duration.ofSeconds(1), Duration.ofDays(365),
                "1s to 8760h");
        Duration breaker = within(env, "KURZ_WEBHOOK_BREAKER_OPEN", DEFAULTS.breakerOpen(), Duration.ofMillis(10), Duration.ofHours(1), "10ms to 1h");
        Duration poll = within(env, "KURZ_WEBHOOK_POLL", DEFAULTS.poll(), Duration.ofMillis(10), Duration.ofMinutes(1), "10ms to 1m");
        int concurrency = env.integer("KURZ_WEBHOOK_CONCURRENCY", DEFAULTS.concurrency(), 1, 256);
        Duration clicks = within(env, "KURZ_WEBHOOK_CLICK_INTERVAL", DEFAULTS.clickInterval(), Duration.ofMillis(100), Duration.ofHours(24),
                "100ms to 24h");
        String rawInterval = env.string("KURZ_LINK_CHECK_INTERVAL", "24h").toLowerCase(java.util.Locale.ROOT);
        Duration interval = rawInterval.equals("off") ? null : within(env, "KURZ_LINK_CHECK_INTERVAL", DEFAULTS.linkCheckInterval(),
                Duration.ofMillis(100), Duration.ofDays(365), "off, or 100ms to 8760h");
        Duration checkTimeout = within(env, "KURZ_LINK_CHECK_TIMEOUT", DEFAULTS.linkCheckTimeout(), Duration.ofMillis(100), Duration.ofSeconds(60),
                "100ms to 60s");
        int checkConcurrency = env.integer("KURZ_LINK_CHECK_CONCURRENCY", DEFAULTS.linkCheckConcurrency(), 1, 64);
        return new Integrations(allow.equals("true"), timeout, base, cap, retryFor, disable, breaker, poll, concurrency, clicks, interval,
                checkTimeout, checkConcurrency);
    }

    private static Duration within(Env env, String name, Duration fallback, Duration min, Duration max, String range) {
        Duration d = env.duration(name, fallback);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) throw ConfigException.bad(name, env.string(name, ""), "a duration from " + range);
        return d;
    }
}

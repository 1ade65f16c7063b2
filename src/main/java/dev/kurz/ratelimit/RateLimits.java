package dev.kurz.ratelimit;

import dev.kurz.config.KurzConfig;
import dev.kurz.config.Rate;
import java.time.InstantSource;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every rate limit of a node, from its settings. The API (per key and per address), wrong keys
 * and abuse reports are shared through {@code shared} when there is Redis; redirects and live-feed
 * connects are counted by each node alone, so the redirect path never waits on the network.
 */
public final class RateLimits {
    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);
    public final Limiter api;
    public final Limiter apiIp;
    public final AuthFailures authFailures;
    public final Limiter redirect;
    public final Limiter live;
    public final Limiter reports;
    /** Password tries of a protected link, per client address and link: fixed at 10 per 10 minutes, shared through Redis. */
    public final Limiter passwords;
    private final LongAdder refused = new LongAdder();

    /** @param shared the buckets in Redis; null when there is no Redis */
    public RateLimits(KurzConfig.RateLimits c, InstantSource clock, SharedBuckets shared) {
        this.api = Limiter.shared("api", c.api(), clock, shared);
        this.apiIp = Limiter.shared("api-ip", c.apiIp(), clock, shared);
        this.authFailures = new AuthFailures(Limiter.shared("auth-failures", c.authFailures(), clock, shared), clock);
        this.redirect = Limiter.local("redirect", c.redirect(), clock);
        this.live = Limiter.local("live", c.live(), clock);
        this.reports = Limiter.shared("reports", c.reports(), clock, shared);
        this.passwords = Limiter.shared("password", Rate.of(10, java.time.Duration.ofMinutes(10)), clock, shared);
        if (!c.equals(NONE)) {
            log.info("rate limits: {} {} {} {} {} {} ({})", api, apiIp, authFailures.limit(), redirect, live, reports,
                    shared == null ? "each node its own" : "api, auth-failures and reports shared through Redis");
        }
    }

    private static final KurzConfig.RateLimits NONE = new KurzConfig.RateLimits(Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF);

    /** Counts one request refused with 429 (by whichever limit), for {@code /metrics}. */
    public void refused() {
        refused.increment();
    }

    /** Requests this node refused with 429, all limits together. */
    public long refusedTotal() {
        return refused.sum();
    }

    /** No limits at all: for embedding and tests that are not about limits. */
    public static RateLimits none(InstantSource clock) {
        return new RateLimits(NONE, clock, null);
    }
}

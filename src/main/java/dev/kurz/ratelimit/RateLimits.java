package dev.kurz.ratelimit;

import dev.kurz.config.KurzConfig;
import dev.kurz.config.Rate;
import java.time.InstantSource;

/**
 * Every rate limit of a node, from its settings. The API (per key and per address), wrong keys
 * and abuse reports are shared through {@code shared} when there is Redis; redirects and live-feed
 * connects are counted by each node alone, so the redirect path never waits on the network.
 */
public final class RateLimits {
    public final Limiter api;
    public final Limiter apiIp;
    public final AuthFailures authFailures;
    public final Limiter redirect;
    public final Limiter live;
    public final Limiter reports;

    /** @param shared the buckets in Redis; null when there is no Redis */
    public RateLimits(KurzConfig.RateLimits c, InstantSource clock, SharedBuckets shared) {
        this.api = Limiter.shared("api", c.api(), clock, shared);
        this.apiIp = Limiter.shared("api-ip", c.apiIp(), clock, shared);
        this.authFailures = new AuthFailures(Limiter.shared("auth-failures", c.authFailures(), clock, shared), clock);
        this.redirect = Limiter.local("redirect", c.redirect(), clock);
        this.live = Limiter.local("live", c.live(), clock);
        this.reports = Limiter.shared("reports", c.reports(), clock, shared);
    }

    /** No limits at all: for embedding and tests that are not about limits. */
    public static RateLimits none(InstantSource clock) {
        return new RateLimits(new KurzConfig.RateLimits(Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF), clock, null);
    }
}

package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.TrustedProxies;
import dev.kurz.config.KurzConfig;
import dev.kurz.config.Rate;
import dev.kurz.ratelimit.RateLimits;
import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The abuse-report limit, on a router of its own until an endpoint uses it. */
class ThrottleTest {
    @Test
    void reports_perAddress_limitedWithHeadersAndRetryAfter() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
        RateLimits limits = new RateLimits(new KurzConfig.RateLimits(Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF, Rate.OFF, Rate.parse("2/h")),
                clock, null);
        Throttle throttle = new Throttle(limits, TrustedProxies.parse(""));
        Vertx vertx = Vertx.vertx();
        try {
            Router r = Router.router(vertx);
            r.post("/api/v1/reports").handler(throttle.reports()).handler(ctx -> ctx.response().setStatusCode(202).end());
            int port = vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
            Api anon = new Api("http://127.0.0.1:" + port, null);

            Resp first = anon.post("/api/v1/reports", "{}");
            assertThat(first.status()).isEqualTo(202);
            assertThat(first.header("ratelimit-policy")).isEqualTo("\"reports\";q=2;w=3600");
            assertThat(first.header("ratelimit")).isEqualTo("\"reports\";r=1;t=1800");
            assertThat(anon.post("/api/v1/reports", "{}").status()).isEqualTo(202);
            Resp refused = anon.post("/api/v1/reports", "{}");
            refused.assertProblem(429, "rate-limited");
            assertThat(refused.header("retry-after")).isEqualTo("1800");
            assertThat(limits.refusedTotal()).isEqualTo(1);

            clock.advance(Duration.ofMinutes(30));
            assertThat(anon.post("/api/v1/reports", "{}").status()).isEqualTo(202);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}

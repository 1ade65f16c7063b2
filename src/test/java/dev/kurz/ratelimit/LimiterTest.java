package dev.kurz.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.config.Rate;
import dev.kurz.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LimiterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));

    @Test
    void acquire_withinQuota_allowsAndCountsDown_thenRefusesWithRetryAfter() {
        Limiter l = Limiter.local("api", Rate.parse("3/min"), clock);
        for (int left = 2; left >= 0; left--) {
            Decision d = l.acquire("k", 1).join();
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(left);
        }
        Decision refused = l.acquire("k", 1).join();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(20); // one token every 20 s
        assertThat(refused.header()).isEqualTo("\"api\";r=0;t=20");

        clock.advance(Duration.ofSeconds(19));
        assertThat(l.acquire("k", 1).join().allowed()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(l.acquire("k", 1).join().allowed()).isTrue();
    }

    @Test
    void acquire_keysHaveTheirOwnBuckets() {
        Limiter l = Limiter.local("api-ip", Rate.parse("1/h"), clock);
        assertThat(l.acquire("10.0.0.1", 1).join().allowed()).isTrue();
        assertThat(l.acquire("10.0.0.1", 1).join().allowed()).isFalse();
        assertThat(l.acquire("10.0.0.2", 1).join().allowed()).isTrue();
    }

    @Test
    void acquire_manyTokens_allOrNone() {
        Limiter l = Limiter.local("api", Rate.parse("10/min"), clock);
        assertThat(l.acquire("k", 4).join().remaining()).isEqualTo(6);
        Decision tooMany = l.acquire("k", 7).join();
        assertThat(tooMany.allowed()).isFalse();
        assertThat(tooMany.retryAfterSeconds()).isEqualTo(6); // one more token: 6 s
        assertThat(l.acquire("k", 6).join().remaining()).isZero(); // the refused 7 took nothing
    }

    @Test
    void header_resetIsTheTimeUntilFull() {
        Limiter l = Limiter.local("api", Rate.parse("600/min"), clock);
        assertThat(l.policy()).isEqualTo("\"api\";q=600;w=60");
        Decision d = l.acquire("k", 60).join();
        assertThat(d.header()).isEqualTo("\"api\";r=540;t=6");
    }

    @Test
    void tryAcquire_fastPath_limitsPerKeyAndRefills() {
        Limiter l = Limiter.local("redirect", Rate.parse("5/s"), clock);
        for (int i = 0; i < 5; i++) assertThat(l.tryAcquire("192.0.2.1")).isTrue();
        assertThat(l.tryAcquire("192.0.2.1")).isFalse();
        assertThat(l.retryAfterSeconds("192.0.2.1")).isEqualTo(1);
        assertThat(l.tryAcquire("192.0.2.2")).isTrue();
        clock.advance(Duration.ofMillis(200));
        assertThat(l.tryAcquire("192.0.2.1")).isTrue();
        assertThat(l.tryAcquire("192.0.2.1")).isFalse();
    }

    @Test
    void off_alwaysAllows() {
        Limiter l = Limiter.local("redirect", Rate.OFF, clock);
        for (int i = 0; i < 1000; i++) assertThat(l.tryAcquire("192.0.2.1")).isTrue();
        assertThat(l.acquire("k", 1_000_000).join().allowed()).isTrue();
        assertThat(l.off()).isTrue();
    }

    @Test
    void nullKey_isOneBucket() {
        Limiter l = Limiter.local("live", Rate.parse("1/min"), clock);
        assertThat(l.tryAcquire(null)).isTrue();
        assertThat(l.tryAcquire(null)).isFalse();
    }

    @Test
    void authFailures_afterTheQuota_refuseBeforeTheCheckUntilATokenIsBack() {
        AuthFailures f = new AuthFailures(Limiter.local("auth-failures", Rate.parse("3/min"), clock), clock);
        assertThat(f.refusedFor("198.51.100.7")).isZero();
        assertThat(f.failed("198.51.100.7").join().allowed()).isTrue();
        assertThat(f.failed("198.51.100.7").join().allowed()).isTrue();
        assertThat(f.refusedFor("198.51.100.7")).isZero();
        assertThat(f.failed("198.51.100.7").join().allowed()).isTrue(); // the third: none left
        assertThat(f.refusedFor("198.51.100.7")).isEqualTo(20);
        assertThat(f.refusedFor("198.51.100.8")).isZero();
        clock.advance(Duration.ofSeconds(20));
        assertThat(f.refusedFor("198.51.100.7")).isZero();
        assertThat(f.failed("198.51.100.7").join().allowed()).isTrue();
        assertThat(f.refusedFor("198.51.100.7")).isEqualTo(20);
    }

    @Test
    void words_sayTheRateInEnglish() {
        assertThat(RateLimited.words(Rate.parse("600/min"))).isEqualTo("600 requests per minute");
        assertThat(RateLimited.words(Rate.parse("1/10min"))).isEqualTo("1 request per 10 minutes");
        assertThat(RateLimited.words(Rate.parse("100/s"))).isEqualTo("100 requests per second");
        assertThat(RateLimited.words(Rate.parse("5000/h"))).isEqualTo("5000 requests per hour");
    }
}

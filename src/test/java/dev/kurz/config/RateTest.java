package dev.kurz.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateTest {
    @ParameterizedTest
    @CsvSource({
            "100/s, 100, 1",
            "600/min, 600, 60",
            "600 / MIN, 600, 60",
            "5000/h, 5000, 3600",
            "20/10min, 20, 600",
            "10/m, 10, 60",
            "1000/day, 1000, 86400",
            "3/30s, 3, 30",
    })
    void parse_writtenForms_giveTokensPerWindow(String raw, long tokens, long seconds) {
        Rate r = Rate.parse(raw);
        assertThat(r.tokens()).isEqualTo(tokens);
        assertThat(r.window()).isEqualTo(Duration.ofSeconds(seconds));
        assertThat(r.off()).isFalse();
        assertThat(Rate.parse(r.toString())).isEqualTo(r);
    }

    @Test
    void parse_off_isOff() {
        assertThat(Rate.parse("off").off()).isTrue();
        assertThat(Rate.parse(" OFF ")).isEqualTo(Rate.OFF);
        assertThat(Rate.OFF.toString()).isEqualTo("off");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "100", "0/s", "-1/s", "100/", "100/week", "100/0s", "1.5/s", "s/100", "100/s/s", "2000000000/s", "1/31day", "on"})
    void parse_badValues_areRefused(String raw) {
        assertThatThrownBy(() -> Rate.parse(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void config_defaults_areGenerousAndOn() {
        KurzConfig.RateLimits l = KurzConfig.from(new Env(Map.of())).rateLimits();
        assertThat(l.api()).isEqualTo(Rate.of(1200, Duration.ofMinutes(1))); // a full batch (1000 links) fits
        assertThat(l.apiIp()).isEqualTo(Rate.of(2400, Duration.ofMinutes(1)));
        assertThat(l.authFailures()).isEqualTo(Rate.of(10, Duration.ofMinutes(1)));
        assertThat(l.redirect()).isEqualTo(Rate.of(100, Duration.ofSeconds(1)));
        assertThat(l.live()).isEqualTo(Rate.of(30, Duration.ofMinutes(1)));
        assertThat(l.reports()).isEqualTo(Rate.of(10, Duration.ofHours(1)));
    }

    @Test
    void config_eachVariable_isRead() {
        KurzConfig.RateLimits l = KurzConfig.from(new Env(Map.of(
                "KURZ_RATELIMIT_API", "5/s", "KURZ_RATELIMIT_API_IP", "6/s", "KURZ_RATELIMIT_AUTH_FAILURES", "3/min",
                "KURZ_RATELIMIT_REDIRECT", "off", "KURZ_RATELIMIT_LIVE", "2/min", "KURZ_RATELIMIT_REPORTS", "1/h"))).rateLimits();
        assertThat(l).isEqualTo(new KurzConfig.RateLimits(Rate.parse("5/s"), Rate.parse("6/s"), Rate.parse("3/min"), Rate.OFF,
                Rate.parse("2/min"), Rate.parse("1/h")));
    }

    @Test
    void config_badValue_failsWithOneLineNamingTheVariable() {
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_RATELIMIT_REDIRECT", "lots"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("KURZ_RATELIMIT_REDIRECT=lots is invalid: expected a rate such as 100/s, 600/min, 5000/h or 20/10min"
                        + " (requests per window), or off");
    }
}

package dev.kurz.compat.bitly;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BitlyApiTest {
    @Test
    void key_bearerOrBare() {
        assertThat(BitlyApi.key("Bearer abc")).isEqualTo("abc");
        assertThat(BitlyApi.key("bearer  abc ")).isEqualTo("abc");
        assertThat(BitlyApi.key("abc")).isEqualTo("abc"); // node-bitly
        assertThat(BitlyApi.key(" ")).isNull();
        assertThat(BitlyApi.key(null)).isNull();
    }

    @Test
    void slugOf_anyDomainOrShortUrl() {
        assertThat(BitlyApi.slugOf("bit.ly/abc123")).isEqualTo("abc123");
        assertThat(BitlyApi.slugOf("127.0.0.1:8080/abc123")).isEqualTo("abc123");
        assertThat(BitlyApi.slugOf("http://kurz.test/abc123/")).isEqualTo("abc123");
        assertThat(BitlyApi.slugOf("abc")).isEqualTo("abc");
    }

    @Test
    void parseTime_bitlyAndIsoOffsets() {
        assertThat(BitlyApi.parseTime("2026-12-01T15:04:05+0000")).isEqualTo(Instant.parse("2026-12-01T15:04:05Z"));
        assertThat(BitlyApi.parseTime("2026-12-01T16:04:05+01:00")).isEqualTo(Instant.parse("2026-12-01T15:04:05Z"));
        assertThat(BitlyApi.parseTime("yesterday")).isNull();
    }
}

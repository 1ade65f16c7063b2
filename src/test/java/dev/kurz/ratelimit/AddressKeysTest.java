package dev.kurz.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressKeysTest {
    @Test
    void ipv4_isItsOwnKey() {
        assertThat(AddressKeys.of("203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(AddressKeys.of(null)).isNull();
    }

    @Test
    void ipv6_countsByItsSlash64() {
        assertThat(AddressKeys.of("2001:db8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2::/64");
        assertThat(AddressKeys.of("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).isEqualTo("2001:db8:1:2::/64");
        assertThat(AddressKeys.of("2001:db8:1:3::1")).isEqualTo("2001:db8:1:3::/64");
        assertThat(AddressKeys.of("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0::/64");
    }

    @Test
    void ipv4Mapped_isTheIpv4Address() {
        assertThat(AddressKeys.of("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
    }

    @Test
    void notAnAddress_isKeptAsItIs() {
        assertThat(AddressKeys.of("not:an:address:at:all")).isEqualTo("not:an:address:at:all");
    }
}

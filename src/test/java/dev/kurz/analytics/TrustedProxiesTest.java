package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedProxiesTest {
    private final TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.1, ::1/128, fd00::/8");

    @Test
    void parse_cidrsAndBareAddresses() {
        assertThat(proxies.trusted("10.1.2.3")).isTrue();
        assertThat(proxies.trusted("10.255.255.255")).isTrue();
        assertThat(proxies.trusted("11.0.0.1")).isFalse();
        assertThat(proxies.trusted("192.168.1.1")).as("a bare address is a /32").isTrue();
        assertThat(proxies.trusted("192.168.1.2")).isFalse();
        assertThat(proxies.trusted("::1")).isTrue();
        assertThat(proxies.trusted("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(proxies.trusted("::2")).isFalse();
        assertThat(proxies.trusted("fd12:3456::1")).isTrue();
        assertThat(proxies.trusted("fe80::1")).isFalse();
        assertThat(proxies.trusted("::ffff:10.0.0.7")).as("IPv4-mapped IPv6 of a trusted IPv4").isTrue();
        assertThat(proxies.trusted("garbage")).isFalse();
        assertThat(proxies.trusted(null)).isFalse();
    }

    @Test
    void parse_prefixesThatAreNotWholeBytes() {
        TrustedProxies p = TrustedProxies.parse("172.16.0.0/12,2001:db8:8000::/33");
        assertThat(p.trusted("172.31.255.1")).isTrue();
        assertThat(p.trusted("172.32.0.1")).isFalse();
        assertThat(p.trusted("172.15.0.1")).isFalse();
        assertThat(p.trusted("2001:db8:ffff::1")).isTrue();
        assertThat(p.trusted("2001:db8:7fff::1")).isFalse();
    }

    @Test
    void parse_zeroPrefix_trustsTheWholeFamily() {
        TrustedProxies p = TrustedProxies.parse("0.0.0.0/0");
        assertThat(p.trusted("203.0.113.9")).isTrue();
        assertThat(p.trusted("2001:db8::1")).as("other family").isFalse();
    }

    @Test
    void parse_emptyOrNull_trustsNoOne() {
        for (String csv : new String[] {null, "", "  ", " , "}) {
            TrustedProxies p = TrustedProxies.parse(csv);
            assertThat(p.trusted("127.0.0.1")).isFalse();
            assertThat(p.clientIp("127.0.0.1", "203.0.113.9", null)).isEqualTo("127.0.0.1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/x", "10.0.0",
            "localhost", "example.com/24", "[::1]", "10.0.0.0 /8", "1.2.3.4:80"})
    void parse_badEntry_namesItAndTheExpectedForm(String bad) {
        assertThatThrownBy(() -> TrustedProxies.parse("127.0.0.1, " + bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + bad.trim() + "\"")
                .hasMessageContaining("10.0.0.0/8");
    }

    @Test
    void clientIp_untrustedPeer_ignoresSpoofedHeaders() {
        assertThat(proxies.clientIp("203.0.113.9", "1.2.3.4", "for=5.6.7.8")).isEqualTo("203.0.113.9");
        assertThat(proxies.clientIp("203.0.113.9", "10.0.0.1", null)).isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_trustedPeerWithoutHeaders_isThePeer() {
        assertThat(proxies.clientIp("10.0.0.2", null, null)).isEqualTo("10.0.0.2");
        assertThat(proxies.clientIp("10.0.0.2", "", "")).isEqualTo("10.0.0.2");
        assertThat(proxies.clientIp("0:0:0:0:0:0:0:1", null, null)).as("canonical text").isEqualTo("::1");
    }

    @Test
    void clientIp_xForwardedFor_rightMostUntrusted() {
        assertThat(proxies.clientIp("10.0.0.2", "203.0.113.9", null)).isEqualTo("203.0.113.9");
        // The client claimed 1.2.3.4 itself; our proxy appended what it saw.
        assertThat(proxies.clientIp("10.0.0.2", "1.2.3.4, 203.0.113.9", null)).isEqualTo("203.0.113.9");
        // Two of our proxies in a row.
        assertThat(proxies.clientIp("10.0.0.2", "1.2.3.4,203.0.113.9 , 10.0.0.3,192.168.1.1", null))
                .isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_allTrusted_isTheLeftMost() {
        assertThat(proxies.clientIp("10.0.0.2", "10.0.0.5, 192.168.1.1, 10.0.0.3", null)).isEqualTo("10.0.0.5");
    }

    @Test
    void clientIp_malformedEntries_areSkipped() {
        assertThat(proxies.clientIp("10.0.0.2", "203.0.113.9, unknown, , garbage, 10.0.0.3", null))
                .isEqualTo("203.0.113.9");
        assertThat(proxies.clientIp("10.0.0.2", "nonsense", null)).as("nothing usable").isEqualTo("10.0.0.2");
    }

    @Test
    void clientIp_xForwardedForWithPortsAndIpv6() {
        assertThat(proxies.clientIp("10.0.0.2", "203.0.113.9:51234", null)).isEqualTo("203.0.113.9");
        assertThat(proxies.clientIp("10.0.0.2", "2001:DB8::1", null)).isEqualTo("2001:db8::1");
        assertThat(proxies.clientIp("10.0.0.2", "[2001:db8::1]:4711", null)).isEqualTo("2001:db8::1");
        assertThat(proxies.clientIp("::1", "2001:db8::1, fd00::5", null)).isEqualTo("2001:db8::1");
        assertThat(proxies.clientIp("10.0.0.2", "::ffff:203.0.113.9", null)).isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_forwarded_usedWhenNoXForwardedFor() {
        assertThat(proxies.clientIp("10.0.0.2", null, "for=192.0.2.60;proto=http;by=203.0.113.43"))
                .isEqualTo("192.0.2.60");
        assertThat(proxies.clientIp("10.0.0.2", "198.51.100.1", "for=192.0.2.60")).as("XFF wins").isEqualTo("198.51.100.1");
    }

    @Test
    void clientIp_forwardedSyntaxVariants() {
        assertThat(proxies.clientIp("10.0.0.2", null, "For=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe::17");
        assertThat(proxies.clientIp("10.0.0.2", null, "for=\"192.0.2.43:47011\"")).isEqualTo("192.0.2.43");
        assertThat(proxies.clientIp("10.0.0.2", null, "for=192.0.2.43, for=198.51.100.17")).isEqualTo("198.51.100.17");
        assertThat(proxies.clientIp("10.0.0.2", null, "for=192.0.2.43, for=\"[fd00::1]\";proto=https"))
                .as("trusted hop skipped").isEqualTo("192.0.2.43");
        assertThat(proxies.clientIp("10.0.0.2", null, "proto=https;for=192.0.2.43;host=example.com"))
                .isEqualTo("192.0.2.43");
        assertThat(proxies.clientIp("10.0.0.2", null, "for = 192.0.2.43")).isEqualTo("192.0.2.43");
        assertThat(proxies.clientIp("10.0.0.2", null, "for=192.0.2.43, for=unknown")).as("unknown skipped")
                .isEqualTo("192.0.2.43");
        assertThat(proxies.clientIp("10.0.0.2", null, "for=192.0.2.43, for=_hidden, for=\"_SEVKISEK\""))
                .as("obfuscated skipped").isEqualTo("192.0.2.43");
        assertThat(proxies.clientIp("10.0.0.2", null, "by=203.0.113.43")).as("no for=").isEqualTo("10.0.0.2");
        assertThat(proxies.clientIp("10.0.0.2", null, "for=\"unterminated")).isEqualTo("10.0.0.2");
    }

    @Test
    void forwardedFor_readsQuotedValuesWithSeparators() {
        assertThat(TrustedProxies.forwardedFor("for=\"a,b;c\";by=x, for=d")).containsExactly("a,b;c", "d");
    }
}

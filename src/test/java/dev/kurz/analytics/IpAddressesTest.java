package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            192.0.2.123 => 192.0.2.0
            8.8.8.8 => 8.8.8.0
            255.255.255.255 => 255.255.255.0
            0.0.0.0 => 0.0.0.0
            ::ffff:203.0.113.77 => 203.0.113.0
            2001:db8:85a3:8d3:1319:8a2e:370:7348 => 2001:db8:85a3::
            2001:DB8:0:0:1::1 => 2001:db8::
            2001:4860:4860::8888 => 2001:4860:4860::
            2a00:1450:4001:81c::200e => 2a00:1450:4001::
            ::1 => ::
            fe80::1%eth0 => fe80::
            1:2:3:4:5:6:7:8 => 1:2:3::
            """)
    void anonymize_keepsTheNetworkPart(String ip, String expected) {
        assertThat(IpAddresses.anonymize(ip)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"garbage", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4",
            " 1.2.3.4", "1.2.3.4 ", "1..2.3", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", ":1:2::", "1:2:3::4:",
            "12345::", "g::1", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "[::1]", "١.٢.٣.٤"})
    void anonymize_notAnAddress_isNull(String ip) {
        assertThat(IpAddresses.anonymize(ip)).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            0:0:0:0:0:0:0:1 => ::1
            0:0:0:0:0:0:0:0 => ::
            2001:0DB8:0000:0000:0000:ff00:0042:8329 => 2001:db8::ff00:42:8329
            2001:db8:0:1:1:1:1:1 => 2001:db8:0:1:1:1:1:1
            2001:0:0:1:0:0:0:1 => 2001:0:0:1::1
            2001:db8:0:0:1:0:0:1 => 2001:db8::1:0:0:1
            1:0:0:2:0:0:0:3 => 1:0:0:2::3
            ::ffff:0:0 => 0.0.0.0
            64:ff9b::192.0.2.33 => 64:ff9b::c000:221
            """)
    void format_isCanonicalRfc5952(String ip, String canonical) {
        assertThat(IpAddresses.format(IpAddresses.parse(ip))).isEqualTo(canonical);
    }

    @Test
    void parse_v4MappedV6_isTheV4Address() {
        assertThat(IpAddresses.parse("::ffff:192.0.2.1")).containsExactly(192, 0, 2, 1);
        assertThat(IpAddresses.parse("::FFFF:c000:0201")).containsExactly(192, 0, 2, 1);
    }
}

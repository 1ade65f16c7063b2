package dev.kurz.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            example.com                  | example.com
            EXAMPLE.com                  | example.com
            bücher.de                    | xn--bcher-kva.de
            straße.de                    | xn--strae-oqa.de
            ＥＸＡＭＰＬＥ.com              | example.com
            xn--80ak6aa92e.com           | xn--80ak6aa92e.com
            127.0.0.1                    | 127.0.0.1
            2130706433                   | 127.0.0.1
            0x7f000001                   | 127.0.0.1
            0X7F000001                   | 127.0.0.1
            0177.0.0.1                   | 127.0.0.1
            0177.0.0.01                  | 127.0.0.1
            127.000.000.001              | 127.0.0.1
            127.1                        | 127.0.0.1
            127.0.1                      | 127.0.0.1
            0x7f.1                       | 127.0.0.1
            0                            | 0.0.0.0
            0.0.0.0                      | 0.0.0.0
            169.254.43518                | 169.254.169.254
            ０x7f000001                   | 127.0.0.1
            １２７。０。０。１               | 127.0.0.1
            8.8.8.8                      | 8.8.8.8
            134744072                    | 8.8.8.8
            [::1]                        | [::1]
            [0:0:0:0:0:0:0:1]            | [::1]
            [::ffff:127.0.0.1]           | [::ffff:7f00:1]
            [::FFFF:7F00:1]              | [::ffff:7f00:1]
            [::127.0.0.1]                | [::7f00:1]
            [64:ff9b::127.0.0.1]         | [64:ff9b::7f00:1]
            [2001:DB8:0:0:1:0:0:1]       | [2001:db8::1:0:0:1]
            [fd00:ec2::254]              | [fd00:ec2::254]
            [::]                         | [::]
            """)
    void canonical_isTheHostABrowserConnectsTo(String host, String expected) {
        assertThat(Hosts.canonical(host)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4.5", "256.0.0.1", "1.2.3.09", "example.123", "4294967296", "[::1", "[1:2:3:4:5:6:7:8:9]",
            "[::ffff:127.0.0.01]", "[fe80::1%25eth0]", "exa_mple.com", "ex..ample.com", "-bad.com", "a\u2024b.com",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com"})
    void canonical_ofHostsBrowsersRefuse_fails(String host) {
        assertThatThrownBy(() -> Hosts.canonical(host)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "[::1]"})
    void address_ofIpLiterals_isTheirBytes(String host) {
        assertThat(Hosts.address(host)).hasSizeBetween(4, 16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "xn--bcher-kva.de", "1.example"})
    void address_ofNames_isNull(String host) {
        assertThat(Hosts.address(host)).isNull();
    }
}

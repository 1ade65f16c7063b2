package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ReferrersTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            https://www.google.com/ => google.com
            https://news.ycombinator.com/item?id=1 => news.ycombinator.com
            http://Example.COM => example.com
            HTTPS://WWW.Example.com:8443/a/b => example.com
            https://user:pw@www.example.org/x => example.org
            https://example.com. => example.com
            https://t.co?amp=1 => t.co
            https://example.com#frag => example.com
            https://example.com/path|with|pipes%zz => example.com
            https://www.com/ => www.com
            https://www2.example.com/ => www2.example.com
            https://bücher.de/ => bücher.de
            https://xn--bcher-kva.de/ => xn--bcher-kva.de
            http://192.0.2.1:8080/ => 192.0.2.1
            http://[2001:DB8::1]:8080/ => [2001:db8::1]
            """)
    void host_httpReferers(String referer, String host) {
        assertThat(Referrers.host(referer)).isEqualTo(host);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "google.com", "/relative/path", "ftp://example.com/", "android-app://com.google.android.gm/",
            "https://", "https:///path", "https://exa mple.com/", "https://[not-an-ip]/", "https://[::1/", "about:blank",
            "javascript://example.com/%0Aalert(1)", "https://..example.com/"})
    void host_notAnHttpReferer_isNull(String referer) {
        assertThat(Referrers.host(referer)).isNull();
    }

    @Test
    void host_trimsSurroundingWhitespace() {
        assertThat(Referrers.host("  https://www.example.com/  ")).isEqualTo("example.com");
    }
}

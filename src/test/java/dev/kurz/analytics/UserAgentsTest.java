package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.UserAgents.Agent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class UserAgentsTest {
    // One parser for the class: it compiles uap-core's regexes once (~200 ms).
    private static final UserAgents agents = new UserAgents(1000);
    private static final String CHROME_WINDOWS =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    @ParameterizedTest(name = "{1} {2} {3}: {0}")
    @CsvFileSource(resources = "/analytics/user-agents.tsv", delimiter = '\t', numLinesToSkip = 1, quoteCharacter = '\0')
    void parse_realUserAgents(String ua, String browser, String os, String device, boolean bot) {
        assertThat(agents.parse(ua, false)).isEqualTo(new Agent(browser, os, device, bot));
    }

    @Test
    void shape_zeroesProductVersionsOnly() {
        assertThat(UserAgents.shape("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36"))
                .isEqualTo("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/000.00 (KHTML, like Gecko) Chrome/000.0.0000.00 Safari/000.00");
        assertThat(UserAgents.shape("curl/8.5.0")).isEqualTo("curl/0.0.0");
        assertThat(UserAgents.shape("NoVersion")).isSameAs("NoVersion").isEqualTo("NoVersion");
    }

    @Test
    void parse_thousandsOfBrowserBuilds_parseOncePerShape() {
        UserAgents fresh = new UserAgents(100);
        for (int build = 0; build < 5000; build++) {
            String ua = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Mobile Safari/537.36"
                    .formatted(100 + build % 45, 4000 + build * 7 % 3000, build % 200);
            assertThat(fresh.parse(ua, false)).isEqualTo(new Agent("Chrome", "Android", "mobile", false));
        }
        assertThat(fresh.cached()).as("distinct shapes parsed").isLessThanOrEqualTo(6);
    }

    @Test
    void parse_headRequest_isABotWhateverTheUserAgent() {
        assertThat(agents.parse(CHROME_WINDOWS, true)).isEqualTo(new Agent("Chrome", "Windows", "bot", true));
        assertThat(agents.parse(CHROME_WINDOWS, false).bot()).as("GET with the same UA").isFalse();
    }

    @Test
    void parse_missingUserAgent_isABot() {
        Agent none = new Agent("Other", "Other", "bot", true);
        assertThat(agents.parse(null, false)).isEqualTo(none);
        assertThat(agents.parse("", false)).isEqualTo(none);
        assertThat(agents.parse("   ", false)).isEqualTo(none);
    }

    @Test
    void parse_unknownUserAgent_isOtherButNotABot() {
        assertThat(agents.parse("SomethingNobodyKnows/1.0", false)).isEqualTo(new Agent("Other", "Other", "other", false));
    }

    @Test
    void parse_sameUserAgent_comesFromTheCache() {
        UserAgents fresh = new UserAgents(10);
        assertThat(fresh.parse(CHROME_WINDOWS, false)).isSameAs(fresh.parse(CHROME_WINDOWS, false));
    }

    @Test
    void parse_hugeUserAgent_isCutBeforeParsing() {
        String huge = CHROME_WINDOWS + " " + "x; ".repeat(50_000);
        long start = System.nanoTime();
        Agent a = agents.parse(huge, false);
        assertThat(a).isEqualTo(new Agent("Chrome", "Windows", "desktop", false));
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to parse 150 kB").isLessThan(500);
    }

    @Test
    void browser_dropsMobileSuffixes() {
        assertThat(UserAgents.browser("Chrome Mobile iOS")).isEqualTo("Chrome");
        assertThat(UserAgents.browser("Firefox Mobile")).isEqualTo("Firefox");
        assertThat(UserAgents.browser("Mobile Safari")).isEqualTo("Safari");
        assertThat(UserAgents.browser("Opera Mini")).isEqualTo("Opera Mini");
    }

    @Test
    void os_normalizesFamilies() {
        assertThat(UserAgents.os("Mac OS X")).isEqualTo("macOS");
        assertThat(UserAgents.os("Chrome OS")).isEqualTo("ChromeOS");
        assertThat(UserAgents.os("Windows 7")).isEqualTo("Windows");
        assertThat(UserAgents.os("Windows Phone")).isEqualTo("Windows Phone");
        assertThat(UserAgents.os("Ubuntu")).isEqualTo("Linux");
    }
}

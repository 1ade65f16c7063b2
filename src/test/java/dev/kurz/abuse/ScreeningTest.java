package dev.kurz.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.config.KurzConfig;
import dev.kurz.link.BlockedDestinationException;
import dev.kurz.link.InvalidLinkException;
import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkRules;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Destination screening as links see it: through {@link LinkRules}, so normalization and screening are tested together. */
class ScreeningTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T12:00:00Z"));
    private static final KurzConfig.Abuse DEFAULTS = KurzConfig.Abuse.DEFAULTS;

    private static LinkRules rules(KurzConfig.Abuse config, String baseUrl) {
        java.net.URI base = java.net.URI.create(baseUrl);
        return new LinkRules(base.getHost(), CLOCK, new Screening(config, base, null));
    }

    private static final KurzConfig.Abuse ALLOW_ALL = new KurzConfig.Abuse(true, true, null, List.of(), Duration.ofSeconds(5));
    private static final LinkRules STRICT = rules(DEFAULTS, "https://kurz.example");
    private static final LinkRules LENIENT = rules(ALLOW_ALL, "https://kurz.example");

    private static String refusal(LinkRules rules, String url) {
        try {
            rules.validate(LinkDraft.ofUrl(url));
            return null;
        } catch (BlockedDestinationException e) {
            assertThat(e.type()).isEqualTo("urn:kurz:problem:blocked-destination");
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.errors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("url"));
            return e.detail();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://localhost/", "http://LOCALHOST:8080/admin", "http://foo.localhost/", "http://localhost./",
            "http://127.0.0.1/", "http://127.0.0.1:6379/", "http://127.1/", "http://127.0.1/", "http://2130706433/",
            "http://0x7f000001/", "http://0x7F.1/", "http://0177.0.0.1/", "http://127.000.000.001/", "http://0/",
            "http://0.0.0.0/", "http://0.0.0.0:8080/", "http://[::1]/", "http://[0:0:0:0:0:0:0:1]:80/", "http://[::]/",
            "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::127.0.0.1]/", "http://[64:ff9b::127.0.0.1]/",
            "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/", "http://[2002:c0a8:101::1]/",
            "http://10.0.0.1/", "http://10.255.255.255/", "http://172.16.0.1/", "http://172.31.255.1/", "http://192.168.1.1/",
            "http://3232235777/", "http://0xc0a80101/", "http://[fc00::1]/", "http://[fd12:3456::1]/",
            "http://169.254.1.1/", "http://[fe80::1]/", "http://100.64.0.1/", "http://100.127.255.254/",
            "http://224.0.0.1/", "http://239.255.255.250/", "http://255.255.255.255/", "http://240.0.0.1/", "http://[ff02::1]/",
            "http://169.254.169.254/latest/meta-data/", "http://2852039166/", "http://0xa9fea9fe/", "http://169.254.43518/",
            "http://0251.0376.0251.0376/", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://intranet/", "http://printer.local/",
            "http://db.internal/", "http://router.home.arpa/", "http://192.0.2.1/", "http://198.18.0.1/", "http://[2001:db8::1]/",
            "http://１２７。０。０。１/", "http://ｌｏｃａｌｈｏｓｔ/"})
    void privateAndSelfAliases_areRefused(String url) {
        assertThat(refusal(STRICT, url)).as(url).isNotNull().contains("public host").contains("KURZ_ALLOW_PRIVATE_DESTINATIONS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/", "http://8.8.8.8/", "http://134744072/", "http://0x08080808/", "http://1.1.1.1:8080/x",
            "http://[2606:4700:4700::1111]/", "http://[::ffff:8.8.8.8]/", "http://172.32.0.1/", "http://100.128.0.1/",
            "http://169.255.0.1/", "https://münchen.de/", "https://例え.jp/", "https://xn--mnchen-3ya.de/", "https://москва.рф/",
            "https://localhost.example.com/", "https://my.internal.example.com/"})
    void publicDestinations_areAccepted(String url) {
        assertThat(refusal(STRICT, url)).as(url).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/", "http://2130706433/", "http://[::ffff:7f00:1]/", "http://10.0.0.1/", "http://169.254.169.254/",
            "http://metadata.google.internal/", "http://[fd00:ec2::254]/", "http://intranet/"})
    void privateDestinations_whenAllowed_areAccepted(String url) {
        assertThat(refusal(LENIENT, url)).as(url).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://2130706433:8080/x", "http://0x7f000001:8080/x", "http://127.1:8080/x", "http://0177.0.0.1/x",
            "http://127.0.0.1/x"})
    void ownHost_inAnyForm_isRefusedEvenWhenPrivateHostsAreAllowed(String url) {
        LinkRules own = rules(ALLOW_ALL, "http://127.0.0.1:8080");
        assertThatThrownBy(() -> own.validate(LinkDraft.ofUrl(url)))
                .isInstanceOfAny(BlockedDestinationException.class, InvalidLinkException.class)
                .hasMessageContaining("redirect to itself");
    }

    @Test
    void ownHost_writtenInAnotherForm_isRefusedAsItself() {
        LinkRules own = rules(ALLOW_ALL, "http://[0:0:0:0:0:0:0:1]:9000");
        assertThat(refusal(own, "http://[::1]:9000/")).contains("redirect to itself");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/x", "http://2130706433:8080/x", "http://[::1]:8080/x", "http://[::ffff:127.0.0.1]:8080/",
            "http://0.0.0.0:8080/", "http://app.localhost:8080/"})
    void localMachine_onTheOwnPort_isRefusedAsItself_whenKurzRunsOnLocalhost(String url) {
        LinkRules own = rules(ALLOW_ALL, "http://localhost:8080");
        assertThat(refusal(own, url)).as(url).contains("redirect to itself");
        assertThat(refusal(own, url.replace(":8080", ":9090"))).as("another port is another service").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://аррӏе.com/", "https://xn--80ak6aa92e.com/", "https://pаypal.com/login", "https://xn--pypal-4ve.com/",
            "https://ѕсоре.com/", "https://ραγ.com/", "https://www.аррӏе.com/"})
    void homographs_areRefused(String url) {
        assertThat(refusal(STRICT, url)).as(url).isNotNull().contains("look-alike");
        assertThat(refusal(LENIENT, url)).as("allowing private hosts and shorteners does not allow homographs").isNotNull();
    }

    @Test
    void homograph_mixedScripts_isNamedAsSuch() {
        assertThat(refusal(STRICT, "https://pаypal.com/")).contains("mixes scripts");
        assertThat(refusal(STRICT, "https://аррӏе.com/")).contains("look like Latin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://bit.ly/abc", "https://BIT.LY/abc", "https://www.bit.ly/x", "https://tinyurl.com/x", "https://t.co/x",
            "https://goo.gl/x", "https://is.gd/x", "https://rb.gy/x", "https://dub.sh/x", "https://lnkd.in/x"})
    void otherShorteners_areRefusedByDefault(String url) {
        assertThat(refusal(STRICT, url)).as(url).isNotNull().contains("another URL shortener");
        assertThat(refusal(LENIENT, url)).as(url).isNull();
    }

    @Test
    void shorteners_listReplacedBySetting() {
        LinkRules custom = rules(new KurzConfig.Abuse(false, false, List.of("sho.rt"), List.of(), Duration.ofSeconds(5)), "https://kurz.example");
        assertThat(refusal(custom, "https://sho.rt/x")).contains("sho.rt");
        assertThat(refusal(custom, "https://a.sho.rt/x")).isNotNull();
        assertThat(refusal(custom, "https://bit.ly/x")).isNull();
        assertThat(refusal(custom, "https://notsho.rt/x")).isNull();
    }

    @Test
    void patch_isScreenedToo() {
        var link = new dev.kurz.link.Link(1, "abc", "https://example.com/", null, List.of(), null, null, 302, true, CLOCK.instant(),
                CLOCK.instant(), 0);
        var patch = new dev.kurz.link.LinkPatch(java.util.Set.of("url"), "http://0x7f000001/", null, null, null, null, null, null);
        assertThatThrownBy(() -> STRICT.apply(link, patch)).isInstanceOf(BlockedDestinationException.class);
    }
}

package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The enricher's cache of repeated requests: same answers as without it, and shared instances. */
class EnricherTest {
    private static final GeoIp GEO = GeoIp.open(null);
    private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/131.0.0.0 Safari/537.36";
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T23:59:00Z"));
    private final Enricher enricher = new Enricher(new UserAgents(100), GEO, TrustedProxies.parse(""),
            new VisitorHasher(clock, VisitorHasher.SaltSource.inMemory(new SecureRandom())), IpStorage.NONE);

    @AfterAll
    static void close() {
        GEO.close();
    }

    private Click click(Supplier<String> peer, String ua, String referrer, boolean head) {
        return new Click(1, "s", clock.millis(), peer, ua, referrer, null, head, false);
    }

    @Test
    void enrich_repeatedRequestOfOneConnection_sharesTheVisit() {
        Supplier<String> conn = () -> "8.8.8.8";
        EnrichedClick a = enricher.enrich(click(conn, CHROME, "https://news.example/x", false));
        EnrichedClick b = enricher.enrich(click(conn, CHROME, "https://news.example/x", false));
        assertThat(b.visit()).isSameAs(a.visit());
        assertThat(a.country()).isEqualTo("US");
        assertThat(a.browser()).isEqualTo("Chrome");
        assertThat(a.referrerHost()).isEqualTo("news.example");
        assertThat(a.visitor()).isNotZero();
    }

    @Test
    void enrich_anyDifferentFact_isEnrichedAfresh() {
        Supplier<String> conn = () -> "8.8.8.8";
        EnrichedClick chrome = enricher.enrich(click(conn, CHROME, null, false));
        EnrichedClick firefox = enricher.enrich(click(conn, FIREFOX, null, false));
        EnrichedClick referred = enricher.enrich(click(conn, CHROME, "https://t.co/abc", false));
        EnrichedClick head = enricher.enrich(click(conn, CHROME, null, true));
        EnrichedClick otherIp = enricher.enrich(click(() -> "81.2.69.142", CHROME, null, false));
        assertThat(firefox.browser()).isEqualTo("Firefox");
        assertThat(firefox.visitor()).isNotEqualTo(chrome.visitor());
        assertThat(referred.referrerHost()).isEqualTo("t.co");
        assertThat(head.bot()).isTrue();
        assertThat(otherIp.country()).isEqualTo("GB");
        assertThat(otherIp.visitor()).isNotEqualTo(chrome.visitor());
    }

    @Test
    void enrich_nextDay_hashesTheVisitorWithTheNewSalt() {
        Supplier<String> conn = () -> "8.8.8.8";
        long today = enricher.enrich(click(conn, CHROME, null, false)).visitor();
        assertThat(enricher.enrich(click(conn, CHROME, null, false)).visitor()).isEqualTo(today);
        clock.advance(Duration.ofMinutes(2)); // past midnight UTC
        assertThat(enricher.enrich(click(conn, CHROME, null, false)).visitor()).isNotEqualTo(today);
    }

    @Test
    void enrich_visitorsWithTheSameTraits_shareOneTraitsInstance() {
        EnrichedClick a = enricher.enrich(click(() -> "8.8.8.8", CHROME, null, false));
        EnrichedClick b = enricher.enrich(click(() -> "8.8.4.4", CHROME, null, false));
        assertThat(b.visit()).isNotSameAs(a.visit());
        assertThat(b.visitor()).isNotEqualTo(a.visitor());
        assertThat(b.visit().traits()).isSameAs(a.visit().traits());
    }
}

package dev.kurz.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.problem.ProblemException.FieldError;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LinkRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final LinkRules rules = new LinkRules("kurz.example", InstantSource.fixed(NOW));

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            https://example.com                        | https://example.com
            HTTPS://Example.COM/Path?Q=1#F             | https://example.com/Path?Q=1#F
            http://example.com:8080/a                  | http://example.com:8080/a
            https://bücher.de/straße                   | https://xn--bcher-kva.de/stra%C3%9Fe
            https://例え.テスト/                         | https://xn--r8jz45g.xn--zckzah/
            https://example.com./x                     | https://example.com/x
            http://[2001:db8::1]:8443/x                | http://[2001:db8::1]:8443/x
            https://example.com/a%20b                  | https://example.com/a%20b
            https://example.com/?q={x}                 | https://example.com/?q=%7Bx%7D
            https://192.0.2.7/                         | https://192.0.2.7/
            """)
    void url_acceptedAndNormalized(String raw, String expected) {
        assertThat(LinkRules.normalizeUrl(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ftp://example.com/file                     | must use http or https
            javascript:alert(1)                        | must be an absolute URL
            //example.com/x                            | must be an absolute URL
            example.com                                | must be an absolute URL
            https://                                   | must have a host
            https:///path                              | must have a host
            https://user:pw@example.com/               | must not contain a user name or password
            https://user@example.com/                  | must not contain a user name or password
            https://example.com:0/                     | invalid port
            https://example.com:99999/                 | invalid port
            https://example.com:abc/                   | invalid port
            https://exa_mple.com/                      | invalid host name
            https://ex..ample.com/                     | invalid host name
            https://example.com/%zz                    | not a valid URL
            """)
    void url_rejectedWithReason(String raw, String reason) {
        assertThatThrownBy(() -> LinkRules.normalizeUrl(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://exa mple.com", "https://example.com/\ta", "https://example.com/\u0000", "https://example.com/\n",
            "https://example.com/\u00a0", "https://example.com/\u2028"})
    void url_withWhitespaceOrControlCharacters_isRejected(String raw) {
        assertThatThrownBy(() -> LinkRules.normalizeUrl(raw)).hasMessageContaining("whitespace or control");
    }

    @Test
    void url_longerThanLimit_isRejected() {
        String ok = "https://example.com/" + "a".repeat(LinkRules.MAX_URL_LENGTH - 20);
        assertThat(LinkRules.normalizeUrl(ok)).hasSize(LinkRules.MAX_URL_LENGTH);
        assertThatThrownBy(() -> LinkRules.normalizeUrl(ok + "a")).hasMessageContaining("at most 8192");
    }

    @Test
    void url_pointingAtKurzItself_isRejected() {
        assertThatThrownBy(() -> rules.validate(LinkDraft.ofUrl("https://KURZ.example/abc")))
                .isInstanceOf(InvalidLinkException.class)
                .hasMessageContaining("redirect to itself");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "abc", "My-Link_2", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "API2", "apis", "healthy"})
    void slug_accepted(String slug) {
        assertThat(LinkRules.slugProblem(slug)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                       | must not be empty
            has space                | may contain only
            dot.ted                  | may contain only
            slash/ed                 | may contain only
            ümlaut                   | may contain only
            api                      | reserved
            API                      | reserved
            health                   | reserved
            metrics                  | reserved
            app                      | reserved
            docs                     | reserved
            static                   | reserved
            assets                   | reserved
            """)
    void slug_rejected(String slug, String reason) {
        assertThat(LinkRules.slugProblem(slug)).contains(reason);
    }

    @Test
    void slug_tooLong_rejected() {
        assertThat(LinkRules.slugProblem("x".repeat(65))).contains("at most 64");
        assertThat(LinkRules.isReserved("favicon.ico")).isTrue();
        assertThat(LinkRules.isReserved("robots.txt")).isTrue();
    }

    @Test
    void isReserved_compatibleApiPaths() {
        assertThat(LinkRules.isReserved("rest")).isTrue();
        assertThat(LinkRules.isReserved("V4")).isTrue();
        assertThat(LinkRules.isReserved("yourls-api.php")).isTrue();
        assertThat(LinkRules.isReserved("v5")).isFalse();
        assertThat(LinkRules.slugProblem("rest")).contains("reserved");
    }

    @Test
    void validate_defaults() {
        NewLink l = rules.validate(LinkDraft.ofUrl("https://example.com"));
        assertThat(l.redirectType()).isEqualTo(302);
        assertThat(l.forwardQuery()).isTrue();
        assertThat(l.tags()).isEmpty();
        assertThat(l.slug()).isNull();
    }

    @Test
    void validate_reportsEveryBadField() {
        LinkDraft d = new LinkDraft("ftp://x", "a b", "t".repeat(600), List.of("ok", "bad,tag"), NOW.minusSeconds(1), 0L, 303, null);
        assertThatThrownBy(() -> rules.validate(d))
                .isInstanceOfSatisfying(InvalidLinkException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field)
                        .containsExactlyInAnyOrder("url", "slug", "title", "tags", "expiresAt", "maxClicks", "redirectType"));
    }

    @Test
    void validate_missingUrl() {
        assertThatThrownBy(() -> rules.validate(LinkDraft.ofUrl(null))).hasMessageContaining("url: is required");
    }

    @Test
    void tags_deduplicatedAndLimited() {
        NewLink l = rules.validate(new LinkDraft("https://e.com", null, null, List.of(" a ", "b", "a"), null, null, null, null));
        assertThat(l.tags()).containsExactly("a", "b");
        List<String> many = Collections.nCopies(33, "x").stream().map(x -> x + Math.random()).toList();
        assertThatThrownBy(() -> rules.validate(new LinkDraft("https://e.com", null, null, many, null, null, null, null)))
                .hasMessageContaining("at most 32 tags");
    }

    @Test
    void apply_mergesPatchAndKeepsClicks() {
        Link link = new Link(1, "s", "https://a.com", "T", List.of("x"), null, 5L, 302, true, NOW, NOW, 3);
        Link patched = rules.apply(link, new LinkPatch(Set.of("url", "title", "maxClicks"), "https://b.com", null, null, null, null, null, null));
        assertThat(patched.url()).isEqualTo("https://b.com");
        assertThat(patched.title()).isNull();
        assertThat(patched.maxClicks()).isNull();
        assertThat(patched.tags()).containsExactly("x");
        assertThat(patched.clicks()).isEqualTo(3);
        assertThat(patched.updatedAt()).isEqualTo(NOW);
    }

    @Test
    void apply_refusesToRemoveRequiredFields() {
        Link link = new Link(1, "s", "https://a.com", null, List.of(), null, null, 302, true, NOW, NOW, 0);
        assertThatThrownBy(() -> rules.apply(link, new LinkPatch(Set.of("url", "redirectType", "forwardQuery"), null, null, null, null, null, null, null)))
                .isInstanceOfSatisfying(InvalidLinkException.class, e -> assertThat(e.errors()).hasSize(3));
    }
}

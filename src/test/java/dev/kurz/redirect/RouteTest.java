package dev.kurz.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.link.Link;
import dev.kurz.link.Smart;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTest {
    record Visitor(String country, String device, String os, String browser, List<String> languages, Map<String, String> params, long seed)
            implements Route.Visitor {
        @Override
        public String param(String name) {
            return params.get(name);
        }
    }

    static Visitor visitor(String country, String device, List<String> languages, long seed) {
        return new Visitor(country, device, "iOS", "Safari", languages, Map.of(), seed);
    }

    static Link link(Smart smart, String passwordHash) {
        return new Link(1, "s", "https://example.com/else", null, List.of(), null, null, 302, true, Instant.EPOCH, Instant.EPOCH, 0, null, null,
                null, smart, passwordHash);
    }

    static Smart.Condition when(List<String> country, List<String> device, List<String> language) {
        return new Smart.Condition(country, device, null, null, language, null);
    }

    @Test
    void of_plainLink_isNull() {
        assertThat(Route.of(link(null, null))).isNull();
        assertThat(Target.of(link(null, null)).route()).isNull();
    }

    @Test
    void choose_firstRuleWhoseConditionsAllHold_elseTheLinksUrl() {
        Route r = Route.of(link(new Smart(List.of(
                new Smart.Rule(when(List.of("DE", "AT"), List.of("mobile"), null), "https://example.com/de-mobile"),
                new Smart.Rule(when(List.of("DE"), null, null), "https://example.com/de"),
                new Smart.Rule(when(null, null, List.of("fr")), "https://example.com/fr"),
                new Smart.Rule(new Smart.Condition(null, null, List.of("ios"), List.of("safari"), null, Map.of("ref", "x")), "https://example.com/q")),
                null, null, null, null), null));
        assertThat(r.choose(visitor("AT", "mobile", List.of("de"), 1))).isEqualTo(new Route.Choice("https://example.com/de-mobile", "rule:0"));
        assertThat(r.choose(visitor("DE", "desktop", List.of("de"), 1)).label()).isEqualTo("rule:1");
        assertThat(r.choose(visitor("US", "desktop", List.of("en", "fr"), 1)).label()).isEqualTo("rule:2");
        assertThat(r.choose(new Visitor("US", "mobile", "iOS", "Safari", List.of("en"), Map.of("ref", "x"), 1)).label()).isEqualTo("rule:3");
        assertThat(r.choose(visitor(null, "desktop", List.of(), 1))).isEqualTo(new Route.Choice("https://example.com/else", null));
    }

    @Test
    void choose_variants_splitByWeight_andStayPutForOneSeed() {
        Route r = Route.of(link(new Smart(null, List.of(new Smart.Variant("https://a", 20), new Smart.Variant("https://b", 80)), null, null, null),
                null));
        int a = 0;
        for (long seed = 0; seed < 10_000; seed++) {
            Route.Choice c = r.choose(visitor("DE", "desktop", List.of(), seed * 0x9E3779B97F4A7C15L));
            if (c.label().equals("variant:0")) a++;
            assertThat(r.choose(visitor("DE", "desktop", List.of(), seed * 0x9E3779B97F4A7C15L))).isEqualTo(c);
        }
        assertThat(a).isBetween(1_800, 2_200);
    }

    @Test
    void query_addsUtm_afterTheVisitorsQuery_whoseOwnValuesWin() {
        Route r = Route.of(link(new Smart(null, null, null, new Smart.Utm("news letter", "email", null, null, null), null), null));
        assertThat(r.query(null)).isEqualTo("utm_source=news+letter&utm_medium=email");
        assertThat(r.query("a=1&utm_source=me")).isEqualTo("a=1&utm_source=me&utm_medium=email");
        assertThat(r.query("utm_sourcex=1")).isEqualTo("utm_sourcex=1&utm_source=news+letter&utm_medium=email");
        assertThat(Redirector.location("https://x.test/p?k=v#f", r.query("z=2"))).isEqualTo("https://x.test/p?k=v&z=2&utm_source=news+letter&utm_medium=email#f");
    }

    @Test
    void of_equalRulesOnTwoLinks_shareOneTable_whileVariantsStayEachLinksOwn() {
        List<Smart.Rule> rules = List.of(new Smart.Rule(when(List.of("DE"), null, null), "https://example.com/de"));
        Route a = Route.of(link(new Smart(rules, List.of(new Smart.Variant("https://a/1", 50), new Smart.Variant("https://a/2", 50)), null, null, null),
                null));
        Route b = Route.of(link(new Smart(List.copyOf(rules), List.of(new Smart.Variant("https://b/1", 50), new Smart.Variant("https://b/2", 50)),
                null, null, null), null));
        Route other = Route.of(link(new Smart(List.of(new Smart.Rule(when(List.of("AT"), null, null), "https://example.com/de")), null, null, null,
                null), null));
        Visitor german = visitor("DE", "desktop", List.of(), 7);
        assertThat(a.choose(german)).isSameAs(b.choose(german)); // one compiled table, one answer object
        assertThat(other.choose(german).label()).isNull();
        assertThat(other.choose(visitor("AT", "desktop", List.of(), 7)).label()).isEqualTo("rule:0");
        Visitor us = visitor("US", "desktop", List.of(), 7);
        assertThat(a.choose(us).url()).startsWith("https://a/");
        assertThat(b.choose(us).url()).startsWith("https://b/");
        assertThat(a.gates()).isFalse();
        assertThat(Route.of(link(new Smart(rules, null, null, null, null), "$argon2id$x")).gates()).isTrue();
    }
}

package dev.kurz.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.redirect.Redirector.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedirectorTest {
    private static final long NOW = 1_800_000_000_000L;

    private static Target target(String url, boolean forward, long expires, long max) {
        return new Target(1, "s", url, 302, forward, expires, max);
    }

    @Test
    void decide_blocked_isBlocked_beforeExpiryAndLimits() {
        Target t = new Target(1, "s", "https://e.com", 302, true, NOW - 1, 5, true);
        assertThat(Redirector.decide(t, NOW)).isEqualTo(Outcome.BLOCKED);
        assertThat(Redirector.decide(new Target(1, "s", "https://e.com", 302, true, Target.NEVER, 0, true), NOW)).isEqualTo(Outcome.BLOCKED);
    }

    @Test
    void decide_missing_isNotFound() {
        assertThat(Redirector.decide(Target.MISSING, NOW)).isEqualTo(Outcome.NOT_FOUND);
    }

    @Test
    void decide_beforeExpiry_redirects_atAndAfter_isExpired() {
        Target t = target("https://e.com", true, NOW + 1, 0);
        assertThat(Redirector.decide(t, NOW)).isEqualTo(Outcome.REDIRECT);
        assertThat(Redirector.decide(t, NOW + 1)).isEqualTo(Outcome.EXPIRED);
        assertThat(Redirector.decide(t, NOW + 1000)).isEqualTo(Outcome.EXPIRED);
    }

    @Test
    void decide_withClickLimit_countsFirst_unlessExpired() {
        assertThat(Redirector.decide(target("https://e.com", true, Target.NEVER, 5), NOW)).isEqualTo(Outcome.COUNT_FIRST);
        assertThat(Redirector.decide(target("https://e.com", true, NOW - 1, 5), NOW)).isEqualTo(Outcome.EXPIRED);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            https://e.com/p          | a=1         | true  | https://e.com/p?a=1
            https://e.com/p?x=2      | a=1&b=2     | true  | https://e.com/p?x=2&a=1&b=2
            https://e.com/p?         | a=1         | true  | https://e.com/p?a=1
            https://e.com/p#frag     | a=1         | true  | https://e.com/p?a=1#frag
            https://e.com/p?x#frag   | a=1         | true  | https://e.com/p?x&a=1#frag
            https://e.com/p          | a=1         | false | https://e.com/p
            https://e.com/p          | NULL        | true  | https://e.com/p
            https://e.com/p          | ''          | true  | https://e.com/p
            """)
    void location_forwardsTheQuery(String url, String query, boolean forward, String expected) {
        assertThat(Redirector.location(target(url, forward, Target.NEVER, 0), query)).isEqualTo(expected);
    }
}

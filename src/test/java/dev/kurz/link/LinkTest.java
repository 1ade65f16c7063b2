package dev.kurz.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkTest {
    private static Link link(Smart smart) {
        return new Link(1, "s", "https://example.com/own", null, List.of(), null, null, 302, true, Instant.EPOCH, Instant.EPOCH, 0, null,
                null, null, smart, null);
    }

    @Test
    void destinationOf_aPlainLinksClick_isItsUrl() {
        assertThat(link(null).destinationOf(null)).isEqualTo("https://example.com/own");
    }

    @Test
    void destinationOf_rulesAndVariants_areTheirUrlsAsTheLinkIsNow() {
        Smart.Condition de = new Smart.Condition(null, null, null, null, List.of("de"), null);
        Link l = link(new Smart(List.of(new Smart.Rule(de, "https://example.com/de")),
                List.of(new Smart.Variant("https://example.com/a", 50), new Smart.Variant("https://example.com/b", 50)), null, null, null));
        assertThat(l.destinationOf("rule:0")).isEqualTo("https://example.com/de");
        assertThat(l.destinationOf("variant:1")).isEqualTo("https://example.com/b");
        assertThat(l.destinationOf("https://example.com/own")).isEqualTo("https://example.com/own");
        // Gone since the click (the link was edited), or never recorded (clicks before targets were): unknown.
        assertThat(l.destinationOf("rule:3")).isNull();
        assertThat(l.destinationOf("variant:-1")).isNull();
        assertThat(l.destinationOf(null)).isNull();
        assertThat(link(null).destinationOf("variant:0")).isNull();
    }
}

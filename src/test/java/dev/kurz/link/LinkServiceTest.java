package dev.kurz.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.MemoryLinkStore;
import dev.kurz.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Links returned with the clicks still pending, and the counter settled before a click limit. */
class LinkServiceTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
    private final AtomicInteger settled = new AtomicInteger();
    private final PendingClicks pending = new PendingClicks() {
        @Override
        public long of(long linkId) {
            return settled.get() == 0 ? 7 : 0;
        }

        @Override
        public void settle() {
            settled.incrementAndGet();
        }
    };
    private final LinkService links = new LinkService(new MemoryLinkStore(), new LinkRules("kurz.test", clock), new SlugPermutation(1),
            clock, slug -> {}, pending);

    private static LinkPatch patch(String field, Long maxClicks, String title) {
        return new LinkPatch(Set.of(field), null, title, List.of(), null, maxClicks, null, null);
    }

    @Test
    void get_addsThePendingClicks() {
        links.create(new LinkDraft("https://example.com/", "pend", null, List.of(), null, null, null, null));
        assertThat(links.get("pend").clicks()).isEqualTo(7);
        assertThat(links.list(10, null, null, null).items().get(0).clicks()).isEqualTo(7);
    }

    @Test
    void update_settlesPendingClicksBeforeAClickLimit_only() {
        links.create(new LinkDraft("https://example.com/", "lim", null, List.of(), null, null, null, null));
        links.update("lim", patch("title", null, "A title"));
        assertThat(settled).hasValue(0);
        links.update("lim", patch("maxClicks", 100L, null));
        assertThat(settled).hasValue(1);
    }
}

package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ClickBufferTest {
    private static final GeoIp GEO = GeoIp.open(null);
    private static final Enricher ENRICHER = new Enricher(new UserAgents(100), GEO, TrustedProxies.parse(""),
            new VisitorHasher(Clock.systemUTC(), VisitorHasher.SaltSource.inMemory(new SecureRandom())), IpStorage.NONE);

    @AfterAll
    static void close() {
        GEO.close();
    }

    private static Click click(long link) {
        return new Click(link, "s", System.currentTimeMillis(), () -> "8.8.8.8", "curl/8", null, null, false, false);
    }

    /** Sums what reached the store, per link, like the links.clicks column. */
    private static final class Sink implements ClickStore {
        final Map<Long, Long> linkClicks = new ConcurrentHashMap<>();
        final AtomicInteger events = new AtomicInteger();
        final AtomicInteger failuresLeft = new AtomicInteger();

        @Override
        public void write(ClickAggregate a) {
            if (failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("database down");
            a.linkClicks().forEach((k, v) -> linkClicks.merge(k, v, Long::sum));
            events.addAndGet(a.events().size());
        }
    }

    @Test
    void offer_whenFull_dropsAndCounts() {
        ClickBuffer b = new ClickBuffer(2);
        assertThat(b.offer(click(1))).isTrue();
        assertThat(b.offer(click(1))).isTrue();
        assertThat(b.offer(click(1))).isFalse();
        assertThat(b.dropped()).isEqualTo(1);
        assertThat(b.accepted()).isEqualTo(2);
    }

    @Test
    void batcher_close_writesEveryAcceptedClick() {
        ClickBuffer b = new ClickBuffer(100_000);
        Sink sink = new Sink();
        List<EnrichedClick> seen = new CopyOnWriteArrayList<>();
        ClickBatcher batcher = new ClickBatcher(b, ENRICHER, sink, Duration.ofMillis(100), 100_000, seen::addAll).start();
        for (int i = 0; i < 10_000; i++) b.offer(click(i % 3));
        batcher.close(Duration.ofSeconds(5));
        assertThat(sink.linkClicks.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10_000);
        assertThat(sink.events.get()).isEqualTo(10_000);
        assertThat(seen).hasSize(10_000);
        assertThat(b.offer(click(1))).as("intake stopped").isFalse();
    }

    @Test
    void batcher_skipsClicksAlreadyCounted_forTheLinkCounter_andCountsHeadRequestsApart() {
        ClickBuffer b = new ClickBuffer(10);
        Sink sink = new Sink();
        ClickBatcher batcher = new ClickBatcher(b, ENRICHER, sink, Duration.ofMillis(10), 100, s -> {}).start();
        b.offer(new Click(1, "s", 0, () -> null, null, null, null, false, true));
        b.offer(new Click(1, "s", 0, () -> null, null, null, null, true, false));
        b.offer(click(1));
        batcher.close(Duration.ofSeconds(5));
        assertThat(sink.linkClicks).containsExactly(Map.entry(1L, 1L));
        assertThat(sink.events.get()).as("the HEAD is not a click").isEqualTo(2);
        assertThat(batcher.heads()).isEqualTo(1);
    }

    @Test
    void batcher_retriesAFailedWrite() {
        ClickBuffer b = new ClickBuffer(10);
        Sink sink = new Sink();
        sink.failuresLeft.set(1);
        ClickBatcher batcher = new ClickBatcher(b, ENRICHER, sink, Duration.ofMillis(10), 100, s -> {}).start();
        b.offer(click(7));
        b.offer(click(7));
        batcher.close(Duration.ofSeconds(5));
        assertThat(sink.linkClicks).containsExactly(Map.entry(7L, 2L));
    }
}

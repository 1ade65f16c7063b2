package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ClickBufferTest {
    private static Click click(long link) {
        return new Click(link, "s", 0, () -> null, null, null, null, false, false);
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
        Map<Long, Long> written = new ConcurrentHashMap<>();
        ClickBatcher batcher = new ClickBatcher(b, m -> m.forEach((k, v) -> written.merge(k, v, Long::sum)),
                Duration.ofMillis(100)).start();
        for (int i = 0; i < 10_000; i++) b.offer(click(i % 3));
        batcher.close(Duration.ofSeconds(5));
        assertThat(written.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10_000);
        assertThat(b.offer(click(1))).as("intake stopped").isFalse();
    }

    @Test
    void batcher_skipsClicksAlreadyCountedAndHeadRequests() {
        ClickBuffer b = new ClickBuffer(10);
        Map<Long, Long> written = new ConcurrentHashMap<>();
        ClickBatcher batcher = new ClickBatcher(b, m -> m.forEach((k, v) -> written.merge(k, v, Long::sum)),
                Duration.ofMillis(10)).start();
        b.offer(new Click(1, "s", 0, () -> null, null, null, null, false, true));
        b.offer(new Click(1, "s", 0, () -> null, null, null, null, true, false));
        b.offer(click(1));
        batcher.close(Duration.ofSeconds(5));
        assertThat(written).containsExactly(Map.entry(1L, 1L));
    }

    @Test
    void batcher_retriesAFailedWrite() {
        ClickBuffer b = new ClickBuffer(10);
        Map<Long, Long> written = new ConcurrentHashMap<>();
        int[] calls = {0};
        ClickBatcher batcher = new ClickBatcher(b, m -> {
            if (calls[0]++ == 0) throw new IllegalStateException("database down");
            m.forEach((k, v) -> written.merge(k, v, Long::sum));
        }, Duration.ofMillis(10)).start();
        b.offer(click(7));
        b.offer(click(7));
        batcher.close(Duration.ofSeconds(5));
        assertThat(written).containsExactly(Map.entry(7L, 2L));
    }
}

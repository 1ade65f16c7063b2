package dev.kurz.analytics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the {@link ClickBuffer} every {@code interval} or as soon as {@code maxBatch} clicks wait,
 * and writes each batch in one transaction. A failed write is kept and retried; meanwhile new
 * clicks queue in the buffer (and are dropped, counted, once it is full).
 */
public final class ClickBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClickBatcher.class);

    private final ClickBuffer buffer;
    private final ClickStore store;
    private final long intervalNanos;
    private final int maxBatch;
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<Long, Long> pending = new HashMap<>();

    public ClickBatcher(ClickBuffer buffer, ClickStore store, Duration interval, int maxBatch) {
        this.buffer = buffer;
        this.store = store;
        this.intervalNanos = interval.toNanos();
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().name("kurz-click-batcher").daemon(true).unstarted(this::loop);
    }

    public ClickBatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        List<Click> batch = new ArrayList<>(maxBatch);
        long lastFlush = System.nanoTime();
        while (running) {
            long waited = System.nanoTime() - lastFlush;
            if (waited < intervalNanos && buffer.size() < maxBatch) {
                LockSupport.parkNanos(Math.min(intervalNanos - waited, TimeUnit.MILLISECONDS.toNanos(5)));
                continue;
            }
            lastFlush = System.nanoTime();
            flushOnce(batch);
        }
    }

    /** Drains up to one batch and writes it (plus anything a failed write left pending). */
    private boolean flushOnce(List<Click> batch) {
        batch.clear();
        buffer.drainTo(batch, maxBatch);
        for (Click c : batch) {
            if (!c.counted() && !c.head()) pending.merge(c.linkId(), 1L, Long::sum);
        }
        if (pending.isEmpty()) return !batch.isEmpty();
        try {
            store.addClicks(pending);
            pending.clear();
        } catch (RuntimeException e) {
            log.warn("writing {} click counts failed; will retry: {}", pending.size(), e.getMessage());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        return !batch.isEmpty();
    }

    /** Stops intake, writes every click accepted so far, and waits at most {@code timeout}. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    public void close(Duration timeout) {
        buffer.close();
        running = false;
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Click> batch = new ArrayList<>(maxBatch);
        while ((buffer.size() > 0 || !pending.isEmpty()) && System.nanoTime() < deadline) {
            flushOnce(batch);
        }
        if (buffer.size() > 0 || !pending.isEmpty()) {
            log.error("shutdown: {} clicks could not be written in time", buffer.size() + pending.size());
        }
    }
}

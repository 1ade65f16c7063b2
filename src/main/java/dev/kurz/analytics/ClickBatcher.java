package dev.kurz.analytics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the {@link ClickBuffer} continuously into compact per-link aggregates, and writes the
 * aggregates every {@code interval}.
 *
 * <p>Design: clicks must not sit in the buffer for long. At 150,000 redirects a second, a second's
 * worth of queued clicks (with the header strings they hold) survives a young collection and is
 * copied by it, which made GC pauses — and so the redirect p99 — several times longer. Draining
 * every {@link #DRAIN_EVERY_MS} ms keeps them short-lived; what lives on is one small aggregate
 * per link. The batcher shares the machine with the event loops, and on a small machine (or a
 * container limited to one CPU) with the very same core. A long uninterrupted burst of work here
 * would hold an event loop off the CPU for a whole scheduler slice (milliseconds), which is what
 * the redirect p99 measures. So the work comes in small slices with {@link Thread#yield()}
 * between them: drains of {@link #SLICE} clicks, and writes of at most {@link #WRITE_SLICE} links
 * per transaction. The writes are additive per link, so splitting a flush into several
 * transactions changes nothing but their size. A failed write is kept and retried; meanwhile new
 * clicks wait in the buffer (and are dropped, and counted, once it is full).
 */
public final class ClickBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClickBatcher.class);
    static final int SLICE = 2048;
    static final long DRAIN_EVERY_MS = 10;
    static final int WRITE_SLICE = 500;

    private final ClickBuffer buffer;
    private final ClickStore store;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<Long, Long> pending = new HashMap<>();
    private final List<Click> slice = new ArrayList<>(SLICE);

    public ClickBatcher(ClickBuffer buffer, ClickStore store, Duration interval) {
        this.buffer = buffer;
        this.store = store;
        this.intervalNanos = interval.toNanos();
        this.thread = Thread.ofPlatform().name("kurz-click-batcher").daemon(true).unstarted(this::loop);
    }

    public ClickBatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        long lastWrite = System.nanoTime();
        while (running) {
            if (buffer.size() < SLICE) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_EVERY_MS));
            drain(buffer.size());
            if (System.nanoTime() - lastWrite >= intervalNanos) {
                lastWrite = System.nanoTime();
                write();
            }
        }
    }

    private void flush(int max) {
        drain(max);
        write();
    }

    /** Aggregates about {@code max} clicks (what was there when the drain began), in slices. */
    private void drain(int max) {
        int drained = 0;
        do {
            slice.clear();
            int n = buffer.drainTo(slice, SLICE);
            for (Click c : slice) {
                if (!c.counted() && !c.head()) pending.merge(c.linkId(), 1L, Long::sum);
            }
            drained += n;
            if (n < SLICE) break;
            Thread.yield();
        } while (drained < max);
    }

    private void write() {
        Iterator<Map.Entry<Long, Long>> it = pending.entrySet().iterator();
        Map<Long, Long> chunk = new HashMap<>();
        while (it.hasNext()) {
            chunk.clear();
            while (it.hasNext() && chunk.size() < WRITE_SLICE) {
                Map.Entry<Long, Long> e = it.next();
                chunk.put(e.getKey(), e.getValue());
            }
            try {
                store.addClicks(chunk);
            } catch (RuntimeException e) {
                log.warn("writing click counts for {} links failed; will retry: {}", pending.size(), e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                return; // what was written is removed below; the rest stays pending
            }
            chunk.keySet().forEach(pending::remove);
            it = pending.entrySet().iterator();
            Thread.yield();
        }
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
        while ((buffer.size() > 0 || !pending.isEmpty()) && System.nanoTime() < deadline) {
            flush(Integer.MAX_VALUE);
        }
        if (buffer.size() > 0 || !pending.isEmpty()) {
            log.error("shutdown: {} clicks could not be written in time", buffer.size() + pending.size());
        }
    }
}

package dev.kurz.analytics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the {@link ClickBuffer} continuously, enriches each click and folds it into a
 * {@link ClickAggregate}, and writes the aggregate every {@code interval} in one transaction.
 *
 * <p>Design: clicks must not sit in the buffer for long. At 150,000 redirects a second, a second's
 * worth of queued clicks (with the header strings they hold) survives a young collection and is
 * copied by it, which made GC pauses — and so the redirect p99 — several times longer. Draining
 * every {@link #DRAIN_EVERY_MS} ms keeps them short-lived. The batcher also shares the machine with
 * the event loops, and on a small machine (or a container limited to one CPU) the very same
 * core: a long uninterrupted burst of work here would hold an event loop off the CPU for a whole
 * scheduler slice, which is what the redirect p99 measures. So it drains in slices of
 * {@link #SLICE} clicks with {@link Thread#yield()} between them.
 *
 * <p>A failed write keeps the aggregate and retries at the next interval; while it is over
 * {@code maxPending} clicks the batcher stops draining, the buffer fills, and further clicks are
 * dropped there and counted.
 */
public final class ClickBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClickBatcher.class);
    static final int SLICE = 2048;
    static final long DRAIN_EVERY_MS = 5;

    private final ClickBuffer buffer;
    private final Enricher enricher;
    private final ClickStore store;
    private final long intervalNanos;
    private final int maxPending;
    private final Consumer<List<EnrichedClick>> listener;
    private final Thread thread;
    private final List<Click> slice = new ArrayList<>(SLICE);
    private final List<EnrichedClick> enriched = new ArrayList<>(SLICE);
    private final java.util.concurrent.atomic.LongAdder heads = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean running = true;
    private ClickAggregate pending = new ClickAggregate();

    /**
     * @param listener told about each drained slice of enriched clicks, on the batcher thread (the
     *                 live feed); must be quick and must not block
     */
    public ClickBatcher(ClickBuffer buffer, Enricher enricher, ClickStore store, Duration interval, int maxPending,
                        Consumer<List<EnrichedClick>> listener) {
        this.buffer = buffer;
        this.enricher = enricher;
        this.store = store;
        this.intervalNanos = interval.toNanos();
        this.maxPending = maxPending;
        this.listener = listener;
        this.thread = Thread.ofPlatform().name("kurz-click-batcher").daemon(true).unstarted(this::loop);
    }

    public ClickBatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        long lastWrite = System.nanoTime();
        long lastDropReport = System.nanoTime();
        long droppedReported = 0;
        while (running) {
            if (System.nanoTime() - lastDropReport > TimeUnit.MINUTES.toNanos(1)) {
                long dropped = buffer.dropped();
                if (dropped > droppedReported) {
                    log.warn("dropped {} clicks in the last minute: the click buffer was full (KURZ_CLICK_BUFFER) or the database too slow",
                            dropped - droppedReported);
                }
                droppedReported = dropped;
                lastDropReport = System.nanoTime();
            }
            if (buffer.size() < SLICE) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_EVERY_MS));
            if (pending.size() < maxPending) drain(buffer.size());
            if (System.nanoTime() - lastWrite >= intervalNanos) {
                lastWrite = System.nanoTime();
                write();
            }
        }
    }

    /** Enriches and aggregates about {@code max} clicks (what was there when the drain began), in slices. */
    private void drain(int max) {
        int drained = 0;
        do {
            slice.clear();
            enriched.clear();
            int n = buffer.drainTo(slice, SLICE);
            for (Click c : slice) {
                if (c.head()) {
                    // Link previews and monitors: answered, but not a click anywhere (rollups, raw clicks, live feed, alerts).
                    heads.increment();
                    continue;
                }
                try {
                    EnrichedClick e = enricher.enrich(c);
                    pending.add(e);
                    enriched.add(e);
                } catch (RuntimeException e) {
                    log.warn("could not enrich a click of link {}: {}", c.linkId(), e.toString());
                }
            }
            if (!enriched.isEmpty()) {
                try {
                    listener.accept(enriched);
                } catch (RuntimeException e) {
                    log.warn("click listener failed: {}", e.toString());
                }
            }
            drained += n;
            if (n < SLICE) break;
            Thread.yield();
        } while (drained < max);
    }

    /** HEAD requests to links seen since start: answered, not counted as clicks. */
    public long heads() {
        return heads.sum();
    }

    private boolean write() {
        if (pending.isEmpty()) return true;
        try {
            store.write(pending);
            pending = new ClickAggregate();
            return true;
        } catch (RuntimeException e) {
            log.warn("writing {} clicks failed; will retry: {}", pending.size(), e.getMessage());
            return false;
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
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            // Still inside a write: draining here as well would break the single-consumer rule.
            log.error("shutdown: the click batcher is still busy after {}; {} clicks may be lost", timeout, buffer.size() + pending.size());
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            drain(Integer.MAX_VALUE);
            if (write() && buffer.size() == 0) return;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        log.error("shutdown: {} clicks could not be written in time", buffer.size() + pending.size());
    }
}

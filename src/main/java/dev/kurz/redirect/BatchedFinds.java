package dev.kurz.redirect;

import dev.kurz.link.Link;
import dev.kurz.link.LinkStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The redirect cache's reads of cold links, coalesced: each key still asks once (the cache's
 * single flight hands every key here once), but keys that arrive while reads are under way share
 * the next read ({@link LinkStore#findAll}, one statement on PostgreSQL).
 *
 * <p>No timer: at most {@code maxReads} reads run at a time, and a key arriving while all of them
 * are busy waits in a queue that the next free read takes whole (up to {@code maxBatch} keys). A
 * lone miss therefore reads at once, as before; under a flood of misses the batches grow by
 * themselves to what the database can take, which is what turns per-statement cost (parse, plan,
 * round trip, a virtual thread and a pooled connection each) into per-row cost.
 *
 * <p>Deadlines stay where they were: each statement has the driver's (ADR 0016), and the redirect
 * handler answers 503 when a load is not done within {@code KURZ_DB_TIMEOUT}, however long it
 * queued here.
 */
final class BatchedFinds {
    private final LinkStore store;
    private final Executor blocking;
    private final int maxReads;
    private final int maxBatch;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger reading = new AtomicInteger();
    private final LongAdder reads = new LongAdder();

    private record Pending(String key, CompletableFuture<Optional<Link>> result) {}

    BatchedFinds(LinkStore store, Executor blocking, int maxReads, int maxBatch) {
        if (maxReads < 1 || maxBatch < 1) throw new IllegalArgumentException("maxReads and maxBatch must be >= 1");
        this.store = store;
        this.blocking = blocking;
        this.maxReads = maxReads;
        this.maxBatch = maxBatch;
    }

    /** The link with this key, read with whatever other keys are waiting; completes on a blocking thread. */
    CompletableFuture<Optional<Link>> find(String key) {
        Pending p = new Pending(key, new CompletableFuture<>());
        queue.add(p);
        startReader();
        return p.result();
    }

    /** Statements (batches) run so far. */
    long reads() {
        return reads.sum();
    }

    private void startReader() {
        while (!queue.isEmpty()) {
            int n = reading.get();
            if (n >= maxReads) return; // a busy reader takes the queue when it is done
            if (reading.compareAndSet(n, n + 1)) {
                try {
                    blocking.execute(this::drain);
                } catch (RuntimeException e) { // executor shut down: fail what waits rather than leave it hanging
                    reading.decrementAndGet();
                    failAll(e);
                }
                return;
            }
        }
    }

    private void drain() {
        try {
            List<Pending> batch;
            while (!(batch = poll()).isEmpty()) read(batch);
        } finally {
            reading.decrementAndGet();
            // A key queued after the last poll, while every reader was still counted as busy, is ours to start.
            startReader();
        }
    }

    private List<Pending> poll() {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while (batch.size() < maxBatch && (p = queue.poll()) != null) batch.add(p);
        return batch;
    }

    private void read(List<Pending> batch) {
        reads.increment();
        Map<String, Link> found;
        try {
            if (batch.size() == 1) {
                Pending only = batch.get(0);
                only.result().complete(store.find(only.key()));
                return;
            }
            List<String> keys = new ArrayList<>(batch.size());
            for (Pending p : batch) keys.add(p.key());
            found = store.findAll(keys);
        } catch (RuntimeException | Error e) { // an Error too: a future left pending would stay in the cache for good
            for (Pending p : batch) p.result().completeExceptionally(e);
            if (e instanceof Error err) throw err;
            return;
        }
        for (Pending p : batch) p.result().complete(Optional.ofNullable(found.get(p.key())));
    }

    private void failAll(RuntimeException e) {
        Pending p;
        while ((p = queue.poll()) != null) p.result().completeExceptionally(e);
    }
}

package dev.kurz.analytics;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Visits to slugs no link has ("orphan visits", as Shlink calls them). The redirect path only
 * {@link #offer}s one, which never blocks: a full queue drops the visit and counts the drop. A
 * scheduled {@link #flush} tells bots apart and writes the batch: a count per UTC day kept for
 * good, and the raw visit, kept like raw clicks (see {@link Store#purge}).
 */
public final class OrphanVisits {
    static final int QUEUE = 4096;
    /** The raw sample is bounded whatever the retention: a scanner may send millions of 404s. */
    public static final int MAX_RAW = 100_000;
    private static final int MAX_TEXT = 512;

    /** An orphan visit as received. */
    record Received(long epochMillis, String path, String referer, String userAgent) {}

    /** An orphan visit as stored. */
    public record Stored(long id, long epochMillis, String path, String referrerHost, String userAgent, boolean bot) {}

    /** Visits and bot visits. */
    public record Totals(long visits, long bots) {}

    /** Where orphan visits are kept. Blocking. */
    public interface Store {
        /** Adds the day counts and the raw visits, in one transaction. */
        void write(List<Stored> visits);

        /** Every orphan visit counted so far. */
        Totals totals();

        /** Raw visits in [fromMillis, toMillis), newest first, at most {@code limit}. */
        List<Stored> recent(long fromMillis, long toMillis, int limit);

        /** Deletes raw visits older than {@code cutoffMillis} and all but the newest {@code keep}. */
        long purge(long cutoffMillis, int keep);
    }

    // Lock-free, bounded by a counter: a flood of 404s on every event loop must not contend on a lock.
    private final ConcurrentLinkedQueue<Received> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Store store;
    private final UserAgents agents;
    private final InstantSource clock;

    public OrphanVisits(Store store, UserAgents agents, InstantSource clock) {
        this.store = store;
        this.agents = agents;
        this.clock = clock;
    }

    /** Never blocks: false (and counted) when the queue is full. */
    public boolean offer(long epochMillis, String path, String referer, String userAgent) {
        if (queued.incrementAndGet() > QUEUE) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        queue.offer(new Received(epochMillis, cut(path), referer, cut(userAgent)));
        return true;
    }

    /** Writes what was offered since the last flush; returns how many. */
    public int flush() {
        List<Received> batch = new ArrayList<>();
        for (Received r; (r = queue.poll()) != null; ) {
            queued.decrementAndGet();
            batch.add(r);
        }
        if (batch.isEmpty()) return 0;
        List<Stored> out = new ArrayList<>(batch.size());
        for (Received r : batch) {
            boolean bot = agents.parse(r.userAgent(), false).bot();
            out.add(new Stored(0, r.epochMillis(), r.path(), r.referer() == null ? null : Referrers.host(r.referer()), r.userAgent(), bot));
        }
        store.write(out);
        return out.size();
    }

    public Totals totals() {
        return store.totals();
    }

    public List<Stored> recent(long fromMillis, long toMillis, int limit) {
        return store.recent(fromMillis, toMillis, limit);
    }

    /** The retention of raw visits ({@code days}, as raw clicks), and the cap. */
    public long purge(int days) {
        return store.purge(clock.millis() - days * 86_400_000L, MAX_RAW);
    }

    public long dropped() {
        return dropped.get();
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }
}

package dev.kurz.redirect;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.kurz.link.DestinationScreen;
import dev.kurz.link.LinkStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Slug → {@link Target}, in front of the shared cache and the store.
 *
 * <p>A hit is a completed future from Caffeine: no lock, no I/O. A miss loads through
 * {@code cache.get(slug, loader)}, so however many requests wait for a cold slug, the shared cache
 * and the database are asked once; the load runs on the blocking executor, never on the event
 * loop. Unknown slugs are cached as {@link Target#MISSING} for {@code negativeTtl}, so a flood of
 * random slugs does not reach the database more than once per slug and period.
 *
 * <p>Entries live long because every change reaches every node's cache over the invalidation
 * channel. While that channel is down ({@link #trustInvalidations}), nothing would tell this node
 * of an edit elsewhere, so it forgets what it holds and keeps new entries at most
 * {@link #UNTRUSTED_TTL} (ADR 0016); the hit path itself is unchanged.
 */
public final class RedirectCache {
    private final AsyncCache<String, Target> cache;
    private final SharedLinkCache shared;
    private final BatchedFinds finds;
    /** Concurrent reads of cold slugs by default (each one statement for up to {@link #MAX_BATCH} slugs). */
    public static final int DEFAULT_READS = 4;
    static final int MAX_BATCH = 256;
    /** Slugs this node changed in the last second: their loads skip the shared cache (read-your-writes). */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> changedHere;
    private final DestinationScreen screen;
    /** How long an entry may be served while changes made on other nodes cannot reach this one. */
    public static final Duration UNTRUSTED_TTL = Duration.ofSeconds(1);
    private volatile boolean untrusted;
    /** Loads started (misses that reached the shared cache or the store); hits are not counted, so they cost nothing. */
    private final LongAdder loads = new LongAdder();

    public RedirectCache(LinkStore store, SharedLinkCache shared, Executor blocking, long maxLinks, Duration ttl, Duration negativeTtl) {
        this(store, shared, blocking, maxLinks, ttl, negativeTtl, Ticker.systemTicker());
    }

    /** With an injected {@link Ticker}, so tests move time by hand. */
    public RedirectCache(LinkStore store, SharedLinkCache shared, Executor blocking, long maxLinks, Duration ttl, Duration negativeTtl,
                         Ticker ticker) {
        this(store, shared, blocking, maxLinks, ttl, negativeTtl, ticker, DestinationScreen.NONE);
    }

    /**
     * @param screen asked, when a link is loaded, whether a blocklist lists its destination now; the
     *               shared cache holds targets without that verdict, since each node applies its own list
     */
    public RedirectCache(LinkStore store, SharedLinkCache shared, Executor blocking, long maxLinks, Duration ttl, Duration negativeTtl,
                         Ticker ticker, DestinationScreen screen) {
        this(store, shared, blocking, maxLinks, ttl, negativeTtl, ticker, screen, DEFAULT_READS);
    }

    /**
     * @param maxReads how many store reads of cold slugs may run at once; slugs that miss meanwhile
     *                 wait and share the next read ({@link BatchedFinds}, at most {@link #MAX_BATCH} each)
     */
    public RedirectCache(LinkStore store, SharedLinkCache shared, Executor blocking, long maxLinks, Duration ttl, Duration negativeTtl,
                         Ticker ticker, DestinationScreen screen, int maxReads) {
        this.screen = screen;
        this.shared = shared;
        this.finds = new BatchedFinds(store, blocking, maxReads, MAX_BATCH);
        this.changedHere = Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(1)).ticker(ticker)
                .executor(Runnable::run).maximumSize(100_000).build();
        long hitNanos = ttl.toNanos();
        long missNanos = negativeTtl.toNanos();
        long untrustedNanos = UNTRUSTED_TTL.toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxLinks)
                .ticker(ticker)
                // Maintenance (expiry, eviction, buffer drains) runs inline on the calling thread, in
                // small amortized batches: handing it to another executor costs a thread wake-up
                // per batch, measured at ~18 % of a core under load (docs/BENCHMARKS.md).
                .executor(Runnable::run)
                .expireAfter(new Expiry<String, Target>() {
                    @Override
                    public long expireAfterCreate(String slug, Target t, long now) {
                        long life = t.missing() ? missNanos : hitNanos;
                        return untrusted ? Math.min(life, untrustedNanos) : life;
                    }

                    @Override
                    public long expireAfterUpdate(String slug, Target t, long now, long current) {
                        return expireAfterCreate(slug, t, now);
                    }

                    @Override
                    public long expireAfterRead(String slug, Target t, long now, long current) {
                        return current;
                    }
                })
                .buildAsync();
    }

    /** The target for a slug: already complete on a hit. */
    public CompletableFuture<Target> get(String slug) {
        CompletableFuture<Target> hit = cache.getIfPresent(slug); // fast path: no lambda, no compute
        return hit != null ? hit : cache.get(slug, (key, executor) -> load(key));
    }

    private CompletableFuture<Target> load(String slug) {
        loads.increment();
        // Right after a change made here, another node may still write the old link back to the
        // shared cache (until the delayed second delete); this node reads the database instead.
        if (changedHere.getIfPresent(slug) != null) return fromStore(slug);
        return shared.get(slug).thenCompose(hit -> hit != null
                ? CompletableFuture.completedFuture(screened(hit))
                : fromStore(slug));
    }

    /** Read with the other cold slugs waiting at the time ({@link BatchedFinds}); mapped on the reading thread. */
    private CompletableFuture<Target> fromStore(String slug) {
        return finds.find(slug).thenApply(found -> {
            Target t = found.map(Target::of).orElse(Target.MISSING);
            // Smart links stay out of the shared cache: its compact form carries no rules; they load from the database.
            if (!t.missing() && t.route() == null && changedHere.getIfPresent(slug) == null) shared.put(t);
            return screened(t);
        });
    }

    /** Blocked when a blocklist lists the destination now (decided once per load, not per request). */
    private Target screened(Target t) {
        return t.missing() || t.blocked() || screen.listed(t.url()) == null ? t : t.asBlocked();
    }

    /**
     * Remembers that a limited link reached its limit, so further requests get 410 without a
     * database write each. An edit of the link (a higher limit) invalidates this like any change.
     */
    public void markExhausted(Target t) {
        CompletableFuture<Target> current = cache.getIfPresent(t.slug());
        if (current != null && current.isDone() && t.equals(current.getNow(null))) {
            cache.put(t.slug(), CompletableFuture.completedFuture(t.asExhausted()));
        }
    }

    /** A change committed by this node: forget the slug, and read it from the database for a second. */
    public void changedLocally(String slug) {
        changedHere.put(slug, Boolean.TRUE);
        invalidate(slug);
    }

    /**
     * Whether changes made on other nodes reach this one (the invalidation channel works). When they
     * stop, everything cached is forgotten and new entries live at most {@link #UNTRUSTED_TTL}; when
     * they resume, entries live their full time again.
     */
    public void trustInvalidations(boolean trusted) {
        if (untrusted == !trusted) return;
        untrusted = !trusted;
        if (untrusted) invalidateAll();
    }

    /** Forgets a slug on this node; the next request loads it afresh. */
    public void invalidate(String slug) {
        cache.synchronous().invalidate(slug);
    }

    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** Store reads (statements) the loads needed since start: fewer than the loads that reached the store when misses come together. */
    public long storeReads() {
        return finds.reads();
    }

    /** Loads started since start: with the redirects answered, the hit ratio ({@code 1 - loads / redirects}). */
    public long loads() {
        return loads.sum();
    }

    public long size() {
        return cache.synchronous().estimatedSize();
    }
}

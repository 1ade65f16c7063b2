package dev.kurz.redirect;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.kurz.link.LinkStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Slug → {@link Target}, in front of the shared cache and the store.
 *
 * <p>A hit is a completed future from Caffeine: no lock, no I/O. A miss loads through
 * {@code cache.get(slug, loader)}, so however many requests wait for a cold slug, the shared cache
 * and the database are asked once; the load runs on the blocking executor, never on the event
 * loop. Unknown slugs are cached as {@link Target#MISSING} for {@code negativeTtl}, so a flood of
 * random slugs does not reach the database more than once per slug and period.
 */
public final class RedirectCache {
    private final AsyncCache<String, Target> cache;
    private final LinkStore store;
    private final SharedLinkCache shared;
    private final Executor blocking;

    public RedirectCache(LinkStore store, SharedLinkCache shared, Executor blocking, long maxLinks, Duration ttl, Duration negativeTtl) {
        this(store, shared, blocking, maxLinks, ttl, negativeTtl, Ticker.systemTicker());
    }

    /** With an injected {@link Ticker}, so tests move time by hand. */
    public RedirectCache(LinkStore store, SharedLinkCache shared, Executor blocking, long maxLinks, Duration ttl, Duration negativeTtl,
                         Ticker ticker) {
        this.store = store;
        this.shared = shared;
        this.blocking = blocking;
        long hitNanos = ttl.toNanos();
        long missNanos = negativeTtl.toNanos();
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
                        return t.missing() ? missNanos : hitNanos;
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
        return shared.get(slug).thenCompose(hit -> hit != null
                ? CompletableFuture.completedFuture(hit)
                : CompletableFuture.supplyAsync(() -> fromStore(slug), blocking));
    }

    private Target fromStore(String slug) {
        Target t = store.find(slug).map(Target::of).orElse(Target.MISSING);
        if (!t.missing()) shared.put(t);
        return t;
    }

    /** Forgets a slug on this node; the next request loads it afresh. */
    public void invalidate(String slug) {
        cache.synchronous().invalidate(slug);
    }

    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    public long size() {
        return cache.synchronous().estimatedSize();
    }
}

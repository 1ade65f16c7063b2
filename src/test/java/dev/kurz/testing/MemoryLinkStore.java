package dev.kurz.testing;

import dev.kurz.link.Link;
import dev.kurz.link.LinkStore;
import dev.kurz.link.NewLink;
import dev.kurz.link.SlugTakenException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory {@link LinkStore} for unit tests; counts lookups so tests can see cache behaviour. */
public final class MemoryLinkStore implements LinkStore {
    private final Map<String, Link> bySlug = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong counter = new AtomicLong();
    public final AtomicInteger finds = new AtomicInteger();
    public volatile long findDelayMillis;

    @Override
    public synchronized Link insert(NewLink l, Instant now) {
        if (bySlug.containsKey(l.slug())) throw new SlugTakenException(l.slug());
        Link link = new Link(ids.incrementAndGet(), l.slug(), l.url(), l.title(), l.tags(), l.expiresAt(), l.maxClicks(),
                l.redirectType(), l.forwardQuery(), now, now, 0, l.createdBy());
        bySlug.put(l.slug(), link);
        return link;
    }

    @Override
    public Optional<Link> find(String slug) {
        finds.incrementAndGet();
        if (findDelayMillis > 0) {
            try {
                Thread.sleep(findDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Optional.ofNullable(bySlug.get(slug));
    }

    @Override
    public Optional<Link> update(Link link) {
        return Optional.ofNullable(bySlug.computeIfPresent(link.slug(), (k, v) -> link.withBlock(v.blocked()))); // as JdbcStore: edits keep a block
    }

    @Override
    public boolean delete(String slug) {
        return bySlug.remove(slug) != null;
    }

    @Override
    public Optional<Link> block(String slug, dev.kurz.link.LinkBlock block) {
        return Optional.ofNullable(bySlug.computeIfPresent(slug, (k, v) -> v.withBlock(block)));
    }

    @Override
    public List<Link> list(LinkQuery q) {
        return bySlug.values().stream()
                .filter(l -> q.beforeId() == null || l.id() < q.beforeId())
                .filter(l -> q.tag() == null || l.tags().contains(q.tag()))
                .filter(l -> q.createdBy() == null || q.createdBy().equals(l.createdBy()))
                .sorted(Comparator.comparingLong(Link::id).reversed())
                .limit(q.limit())
                .toList();
    }

    @Override
    public synchronized boolean consumeClick(long linkId) {
        for (Link l : bySlug.values()) {
            if (l.id() == linkId && (l.maxClicks() == null || l.clicks() < l.maxClicks())) {
                bySlug.put(l.slug(), new Link(l.id(), l.slug(), l.url(), l.title(), l.tags(), l.expiresAt(), l.maxClicks(),
                        l.redirectType(), l.forwardQuery(), l.createdAt(), l.updatedAt(), l.clicks() + 1, l.createdBy(), l.blocked()));
                return true;
            }
        }
        return false;
    }

    @Override
    public long leaseCounterBlock(int size) {
        return counter.getAndAdd(size);
    }

    @Override
    public long installationSecret(String name, long proposed) {
        return proposed;
    }

    @Override
    public void ping() {}
}

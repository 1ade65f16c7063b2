package dev.kurz.link;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands out generated slugs: counter values leased from the store in blocks (so several nodes never
 * share one), scrambled by the installation's {@link SlugPermutation}. Blocking: call it off the
 * event loop.
 */
final class SlugGenerator {
    private final LinkStore store;
    private final SlugPermutation permutation;
    private final int blockSize;
    private final ReentrantLock lock = new ReentrantLock();
    private long next;
    private long end;

    SlugGenerator(LinkStore store, SlugPermutation permutation, int blockSize) {
        this.store = store;
        this.permutation = permutation;
        this.blockSize = blockSize;
    }

    String next() {
        while (true) {
            String slug = permutation.slug(nextCounter());
            // A generated slug can, very rarely, spell a reserved word such as "metrics": skip it.
            if (!LinkRules.isReserved(slug)) return slug;
        }
    }

    private long nextCounter() {
        lock.lock();
        try {
            if (next == end) {
                next = store.leaseCounterBlock(blockSize);
                end = next + blockSize;
            }
            return next++;
        } finally {
            lock.unlock();
        }
    }
}

package dev.kurz.redirect;

import java.util.concurrent.CompletableFuture;

/**
 * A second-level cache that several nodes share (Redis), between each node's in-process cache and
 * the database. Never blocks: results come back as futures.
 */
public interface SharedLinkCache {
    /** The cached target, or null when the shared cache does not hold it (or cannot be reached). */
    CompletableFuture<Target> get(String slug);

    void put(Target target);

    SharedLinkCache NONE = new SharedLinkCache() {
        @Override
        public CompletableFuture<Target> get(String slug) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void put(Target target) {}
    };
}

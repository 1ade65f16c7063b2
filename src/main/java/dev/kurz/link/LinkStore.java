package dev.kurz.link;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where links live. Blocking: call it from a virtual thread, never from the event loop. */
public interface LinkStore {

    /** Stores a link with its final slug; durable when this returns. */
    Link insert(NewLink link, Instant now) throws SlugTakenException;

    /**
     * Stores the links, and the receipt {@code receipt} makes of the outcome (null: none), in one
     * transaction: all or nothing. Each result is the stored link, or null when its custom slug
     * was taken; a link without a slug takes the next of {@code slugs} (drawn before, since the
     * transaction may hold the only writer). Throws when the receipt's claim was lost.
     */
    default List<Link> insertAll(List<NewLink> links, Instant now, java.util.Iterator<String> slugs,
                                 java.util.function.Function<List<Link>, dev.kurz.idempotency.Receipt> receipt) {
        // Not atomic: for stores without transactions (tests' memory store).
        List<Link> stored = new java.util.ArrayList<>();
        for (NewLink l : links) {
            try {
                stored.add(insert(l.slug() == null ? l.withSlug(slugs.next()) : l, now));
            } catch (SlugTakenException e) {
                stored.add(null);
            }
        }
        receipt.apply(java.util.Collections.unmodifiableList(stored));
        return stored;
    }

    /** The link with this key ({@link LinkKeys}: the slug, or {@code host/slug} on another domain). */
    Optional<Link> find(String key);

    /**
     * The links with these keys, by key; keys without a link are absent. One round trip where the
     * store can (the redirect cache batches concurrent misses through this); by default one
     * {@link #find} per key.
     */
    default java.util.Map<String, Link> findAll(java.util.Collection<String> keys) {
        java.util.Map<String, Link> out = new java.util.HashMap<>();
        for (String k : keys) find(k).ifPresent(l -> out.put(k, l));
        return out;
    }

    /** Writes the link's writable fields; empty when the slug no longer exists. */
    Optional<Link> update(Link link);

    boolean delete(String slug);

    /**
     * Sets an admin's block on a link, or lifts it ({@code block} null); the link as stored
     * afterwards, or empty when the slug does not exist.
     */
    default Optional<Link> block(String slug, LinkBlock block) {
        throw new UnsupportedOperationException("this link store cannot block links");
    }

    /** Newest first, strictly older than {@code query.beforeId()} when that is set. */
    List<Link> list(LinkQuery query);

    /**
     * Counts one redirect of a link with a click limit, atomically across every node: true when
     * the click was under the limit and is now counted, false when the limit was reached.
     */
    boolean consumeClick(long linkId);

    /** Reserves {@code size} consecutive counter values no other caller or node will receive; returns the first. */
    long leaseCounterBlock(int size);

    /** The stored installation secret called {@code name}, storing {@code proposed} if there is none yet. */
    long installationSecret(String name, long proposed);

    /** Quick round trip for readiness checks. */
    void ping();

    /** Of these link keys ({@link LinkKeys}), the ones whose link was created by the API key {@code keyId}. */
    default java.util.Set<String> createdByAmong(java.util.Collection<String> keys, long keyId) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String k : keys) find(k).filter(l -> l.visibleTo(keyId)).ifPresent(l -> out.add(l.key()));
        return out;
    }

    /**
     * A page request: at most {@code limit} links, older than {@code beforeId} (null: from the
     * newest), only those created by the key {@code createdBy} when that is set, only those whose
     * last health check said {@code health} (ok, broken, unknown) when that is set.
     */
    record LinkQuery(int limit, Long beforeId, String tag, String text, Long createdBy, DomainFilter domain, String health) {
        public LinkQuery(int limit, Long beforeId, String tag, String text) {
            this(limit, beforeId, tag, text, null);
        }

        public LinkQuery(int limit, Long beforeId, String tag, String text, Long createdBy) {
            this(limit, beforeId, tag, text, createdBy, null, null);
        }
    }

    /** Only the links of one domain: {@code host} null means the default domain. */
    record DomainFilter(String host) {}
}

package dev.kurz.link;

import java.time.Instant;
import java.util.List;

/**
 * A stored short link. {@code expiresAt} and {@code maxClicks} are null when the link has no such
 * limit; {@code clicks} counts redirects served so far; {@code blocked} is null unless the link was
 * disabled as unsafe ({@link LinkBlock}).
 */
public record Link(
        long id,
        String slug,
        String url,
        String title,
        List<String> tags,
        Instant expiresAt,
        Long maxClicks,
        int redirectType,
        boolean forwardQuery,
        Instant createdAt,
        Instant updatedAt,
        long clicks,
        LinkBlock blocked) {

    public Link {
        tags = List.copyOf(tags);
    }

    /** A link that is not blocked. */
    public Link(long id, String slug, String url, String title, List<String> tags, Instant expiresAt, Long maxClicks, int redirectType,
                boolean forwardQuery, Instant createdAt, Instant updatedAt, long clicks) {
        this(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt, updatedAt, clicks, null);
    }

    /** The same link with {@code n} more clicks (counted ones not yet in the store). */
    public Link plusClicks(long n) {
        return n == 0 ? this : new Link(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt,
                updatedAt, clicks + n, blocked);
    }

    /** The same link blocked (null: not blocked). */
    public Link withBlock(LinkBlock block) {
        return new Link(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt, updatedAt, clicks, block);
    }
}

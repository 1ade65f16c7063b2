package dev.kurz.link;

import java.time.Instant;
import java.util.List;

/**
 * A stored short link. {@code expiresAt} and {@code maxClicks} are null when the link has no such
 * limit; {@code clicks} counts redirects served so far.
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
        long clicks) {

    public Link {
        tags = List.copyOf(tags);
    }

    /** The same link with {@code n} more clicks (counted ones not yet in the store). */
    public Link plusClicks(long n) {
        return n == 0 ? this : new Link(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt,
                updatedAt, clicks + n);
    }
}

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
}

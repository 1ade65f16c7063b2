package dev.kurz.link;

import java.time.Instant;
import java.util.List;

/** A validated link ready to store; {@code slug} is null when Kurz should generate one. */
public record NewLink(
        String url,
        String slug,
        String title,
        List<String> tags,
        Instant expiresAt,
        Long maxClicks,
        int redirectType,
        boolean forwardQuery) {

    public NewLink {
        tags = List.copyOf(tags);
    }

    NewLink withSlug(String s) {
        return new NewLink(url, s, title, tags, expiresAt, maxClicks, redirectType, forwardQuery);
    }
}

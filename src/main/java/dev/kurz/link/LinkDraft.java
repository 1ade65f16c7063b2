package dev.kurz.link;

import java.time.Instant;
import java.util.List;

/**
 * What a client asks for when creating a link, before validation. Null means "not given";
 * {@link LinkRules#validate} turns a draft into a {@link NewLink} or names every bad field.
 */
public record LinkDraft(
        String url,
        String slug,
        String title,
        List<String> tags,
        Instant expiresAt,
        Long maxClicks,
        Integer redirectType,
        Boolean forwardQuery,
        String domain,
        Smart smart,
        String password) {

    /** A draft on the default domain with nothing smart. */
    public LinkDraft(String url, String slug, String title, List<String> tags, Instant expiresAt, Long maxClicks, Integer redirectType,
                     Boolean forwardQuery) {
        this(url, slug, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, null, null, null);
    }

    public static LinkDraft ofUrl(String url) {
        return new LinkDraft(url, null, null, null, null, null, null, null);
    }
}

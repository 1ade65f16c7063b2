package dev.kurz.link;

import java.time.Instant;
import java.util.List;

/**
 * A validated link ready to store; {@code slug} is null when Kurz should generate one,
 * {@code createdBy} when no API key is recorded as its creator.
 */
public record NewLink(
        String url,
        String slug,
        String title,
        List<String> tags,
        Instant expiresAt,
        Long maxClicks,
        int redirectType,
        boolean forwardQuery,
        Long createdBy,
        String domain,
        Smart smart,
        String passwordHash) {

    public NewLink {
        tags = List.copyOf(tags);
    }

    /** A link on the default domain with nothing smart. */
    public NewLink(String url, String slug, String title, List<String> tags, Instant expiresAt, Long maxClicks, int redirectType,
                   boolean forwardQuery, Long createdBy) {
        this(url, slug, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdBy, null, null, null);
    }

    /** A link no API key is recorded as creating. */
    public NewLink(String url, String slug, String title, List<String> tags, Instant expiresAt, Long maxClicks, int redirectType,
                   boolean forwardQuery) {
        this(url, slug, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, null);
    }

    /** The same link with this slug (a generated one, or a custom one being checked). */
    public NewLink withSlug(String s) {
        return new NewLink(url, s, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdBy, domain, smart, passwordHash);
    }

    /** The same link on the domain {@code host} (null: the default domain). */
    public NewLink onDomain(String host) {
        return new NewLink(url, slug, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdBy, host, smart, passwordHash);
    }

    /** The same link, recorded as created by the API key {@code keyId}. */
    public NewLink createdBy(Long keyId) {
        return new NewLink(url, slug, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, keyId, domain, smart, passwordHash);
    }
}

package dev.kurz.link;

import java.time.Instant;
import java.util.List;

/**
 * A stored short link. {@code expiresAt} and {@code maxClicks} are null when the link has no such
 * limit; {@code clicks} counts redirects served so far; {@code createdBy} is the id of the API key
 * that created it (null when unknown: links made before Kurz stored it); {@code blocked} is null
 * unless the link was disabled as unsafe ({@link LinkBlock}). {@code domain} is the host it lives on
 * (null: the default domain), {@code smart} its rules, variants and the rest (null: none), and
 * {@code passwordHash} the Argon2id hash of its password (null: not protected).
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
        Long createdBy,
        LinkBlock blocked,
        String domain,
        Smart smart,
        String passwordHash) {

    public Link {
        tags = List.copyOf(tags);
    }

    /** A link on the default domain, with nothing smart. */
    public Link(long id, String slug, String url, String title, List<String> tags, Instant expiresAt, Long maxClicks,
                int redirectType, boolean forwardQuery, Instant createdAt, Instant updatedAt, long clicks, Long createdBy,
                LinkBlock blocked) {
        this(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt, updatedAt, clicks, createdBy,
                blocked, null, null, null);
    }

    /** Its slug on the default domain, {@code host/slug} on another ({@link LinkKeys}). */
    public String key() {
        return LinkKeys.of(domain, slug);
    }

    /**
     * The destination a recorded click was sent to, from its {@code target}: null for a plain link's
     * click (its URL), {@code rule:N} / {@code variant:N} for a rule's or a variant's (their URL as the
     * link is now; null when the link no longer has it), a URL as is. Without the visitor's query or UTM.
     */
    public String destinationOf(String target) {
        if (target == null) return smart == null ? url : null;
        if (target.startsWith(Smart.RULE)) return urlAt(smart == null ? null : smart.rules(), target.substring(Smart.RULE.length()), Smart.Rule::url);
        if (target.startsWith(Smart.VARIANT)) return urlAt(smart == null ? null : smart.variants(), target.substring(Smart.VARIANT.length()), Smart.Variant::url);
        return target;
    }

    private static <T> String urlAt(List<T> list, String index, java.util.function.Function<T, String> url) {
        try {
            int n = Integer.parseInt(index);
            return list == null || n < 0 || n >= list.size() ? null : url.apply(list.get(n));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A link with no recorded creator (made before creators were stored, or outside the API), not blocked. */
    public Link(long id, String slug, String url, String title, List<String> tags, Instant expiresAt, Long maxClicks,
                int redirectType, boolean forwardQuery, Instant createdAt, Instant updatedAt, long clicks) {
        this(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt, updatedAt, clicks, null, null);
    }

    /** A link that is not blocked. */
    public Link(long id, String slug, String url, String title, List<String> tags, Instant expiresAt, Long maxClicks,
                int redirectType, boolean forwardQuery, Instant createdAt, Instant updatedAt, long clicks, Long createdBy) {
        this(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt, updatedAt, clicks, createdBy, null);
    }

    /** Whether a caller limited to the links of key {@code keyId} (null: not limited) may see this link. */
    public boolean visibleTo(Long keyId) {
        return keyId == null || keyId.equals(createdBy);
    }

    /** The same link with {@code n} more clicks (counted ones not yet in the store). */
    public Link plusClicks(long n) {
        return n == 0 ? this : new Link(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt,
                updatedAt, clicks + n, createdBy, blocked, domain, smart, passwordHash);
    }

    /** The same link blocked (null: not blocked). */
    public Link withBlock(LinkBlock block) {
        return new Link(id, slug, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, createdAt, updatedAt, clicks,
                createdBy, block, domain, smart, passwordHash);
    }
}

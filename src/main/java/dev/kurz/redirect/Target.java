package dev.kurz.redirect;

import dev.kurz.link.Link;

/**
 * What the hot path needs of a link, and nothing more: kept small because the cache holds one per
 * hot slug. {@link #MISSING} stands for "no such slug" so unknown slugs can be cached too.
 * {@code blocked}: disabled as unsafe (an admin's block, or a blocklist match decided at load).
 */
public record Target(long linkId, String slug, String url, int status, boolean forwardQuery, long expiresAtMillis, long maxClicks,
                     boolean blocked, Route route) {
    public static final long NEVER = Long.MAX_VALUE;
    public static final Target MISSING = new Target(0, "", "", 404, false, NEVER, 0);

    /** A plain link: nothing smart ({@code route} null). */
    public Target(long linkId, String slug, String url, int status, boolean forwardQuery, long expiresAtMillis, long maxClicks,
                  boolean blocked) {
        this(linkId, slug, url, status, forwardQuery, expiresAtMillis, maxClicks, blocked, null);
    }

    public Target(long linkId, String slug, String url, int status, boolean forwardQuery, long expiresAtMillis, long maxClicks) {
        this(linkId, slug, url, status, forwardQuery, expiresAtMillis, maxClicks, false);
    }

    /** {@code slug} is the link's key ({@link dev.kurz.link.LinkKeys}); smart parts are compiled here, once per load. */
    public static Target of(Link link) {
        return new Target(link.id(), link.key(), link.url(), link.redirectType(), link.forwardQuery(),
                link.expiresAt() == null ? NEVER : link.expiresAt().toEpochMilli(),
                link.maxClicks() == null ? 0 : link.maxClicks(), link.blocked() != null, Route.of(link));
    }

    Target asBlocked() {
        return new Target(linkId, slug, url, status, forwardQuery, expiresAtMillis, maxClicks, true, route);
    }

    public boolean missing() {
        return this == MISSING || linkId == 0;
    }

    /** Links with a click limit are counted in the database on each redirect, so the limit is exact. */
    public boolean limited() {
        return maxClicks > 0;
    }

    /** Known to have reached its click limit on this node: answered 410 without asking the database again. */
    public boolean exhausted() {
        return maxClicks < 0;
    }

    Target asExhausted() {
        return new Target(linkId, slug, url, status, forwardQuery, expiresAtMillis, -1, blocked, route);
    }
}

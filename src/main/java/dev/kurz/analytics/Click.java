package dev.kurz.analytics;

import java.util.function.Supplier;

/**
 * One redirect as the hot path saw it, before any enrichment. {@code counted} is true when the
 * link's click counter was already moved on the hot path (links with a click limit count exactly,
 * in the database). {@code peer} yields the socket's peer address as text; it is read off the hot
 * path, because formatting an address costs more than the rest of the record. The forwarding
 * headers are only captured when trusted proxies are configured. {@code target} is what a smart
 * link served ("rule:N", "variant:N" or the URL), null for a plain link.
 */
public record Click(
        long linkId,
        String slug,
        long epochMillis,
        Supplier<String> peer,
        String userAgent,
        String referrer,
        String acceptLanguage,
        boolean head,
        boolean counted,
        String forwardedFor,
        String forwarded,
        String target) {

    /** A click of a plain link: no target recorded. */
    public Click(long linkId, String slug, long epochMillis, Supplier<String> peer, String userAgent, String referrer,
                 String acceptLanguage, boolean head, boolean counted, String forwardedFor, String forwarded) {
        this(linkId, slug, epochMillis, peer, userAgent, referrer, acceptLanguage, head, counted, forwardedFor, forwarded, null);
    }

    /** A click with no forwarding headers. */
    public Click(long linkId, String slug, long epochMillis, Supplier<String> peer, String userAgent, String referrer,
                 String acceptLanguage, boolean head, boolean counted) {
        this(linkId, slug, epochMillis, peer, userAgent, referrer, acceptLanguage, head, counted, null, null);
    }
}

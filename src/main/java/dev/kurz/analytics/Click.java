package dev.kurz.analytics;

/**
 * One redirect as the hot path saw it. {@code counted} is true when the link's click counter was
 * already moved on the hot path (links with a click limit count exactly, in the database).
 */
public record Click(
        long linkId,
        String slug,
        long epochMillis,
        String ip,
        String userAgent,
        String referrer,
        String acceptLanguage,
        boolean head,
        boolean counted) {}

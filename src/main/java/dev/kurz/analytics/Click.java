package dev.kurz.analytics;

import java.util.function.Supplier;

/**
 * One redirect as the hot path saw it. {@code counted} is true when the link's click counter was
 * already moved on the hot path (links with a click limit count exactly, in the database).
 * {@code peer} yields the socket's peer address as text; it is read off the hot path, because
 * formatting an address costs more than the rest of the record.
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
        boolean counted) {}

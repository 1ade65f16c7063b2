package dev.kurz.link;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A JSON merge-patch of a link: {@code present} names the fields the client sent; a present
 * field with a null value clears it (where clearing is allowed). {@code smart} carries the smart
 * fields present ({@code rules}, {@code variants}, {@code fallbackUrl}, {@code utm}, {@code preview}):
 * each replaces or, null, clears its part.
 */
public record LinkPatch(
        Set<String> present,
        String url,
        String title,
        List<String> tags,
        Instant expiresAt,
        Long maxClicks,
        Integer redirectType,
        Boolean forwardQuery,
        Smart smart,
        String password) {

    public LinkPatch {
        present = Set.copyOf(present);
    }

    /** A patch of the plain fields only. */
    public LinkPatch(Set<String> present, String url, String title, List<String> tags, Instant expiresAt, Long maxClicks,
                     Integer redirectType, Boolean forwardQuery) {
        this(present, url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery, null, null);
    }

    public boolean has(String field) {
        return present.contains(field);
    }
}

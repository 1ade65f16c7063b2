package dev.kurz.link;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A JSON merge-patch of a link: {@code present} names the fields the client sent; a present
 * field with a null value clears it (where clearing is allowed).
 */
public record LinkPatch(
        Set<String> present,
        String url,
        String title,
        List<String> tags,
        Instant expiresAt,
        Long maxClicks,
        Integer redirectType,
        Boolean forwardQuery) {

    public LinkPatch {
        present = Set.copyOf(present);
    }

    public boolean has(String field) {
        return present.contains(field);
    }
}

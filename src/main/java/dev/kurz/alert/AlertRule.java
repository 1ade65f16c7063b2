package dev.kurz.alert;

import java.time.Instant;

/**
 * "More than {@code threshold} clicks within {@code windowMinutes}" ({@link Kind#CLICKS_ABOVE}) or
 * "no clicks for {@code windowMinutes}" ({@link Kind#NO_CLICKS}) or "the destination turned broken"
 * ({@link Kind#LINK_BROKEN}), for one link or (slug null) all.
 * After firing, a rule stays quiet for {@code cooldownMinutes}.
 */
public record AlertRule(long id, String slug, Kind kind, long threshold, int windowMinutes, int cooldownMinutes, Instant createdAt,
                        Instant lastFiredAt) {

    public enum Kind {
        CLICKS_ABOVE("clicks_above"),
        NO_CLICKS("no_clicks"),
        /** The link's destination turned broken (a link health check); no threshold, no window. */
        LINK_BROKEN("link_broken");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.label.equals(s)) return k;
            throw new IllegalArgumentException(s);
        }
    }

    boolean matches(String linkSlug) {
        return slug == null || slug.equals(linkSlug);
    }
}

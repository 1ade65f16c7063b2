package dev.kurz.link;

/**
 * Whether Kurz may send people to a destination (abuse screening, owned by {@code abuse}).
 * {@link LinkRules} asks it about every URL a link takes, on create, edit and batch alike; the
 * redirect cache asks {@link #listed} when it loads a link, so a destination blocked later stops
 * redirecting. The default screens nothing.
 */
public interface DestinationScreen {
    /**
     * Why a new destination is refused, in a sentence a person understands; null when it is acceptable.
     *
     * @param url  the normalized URL ({@link LinkRules#normalizeUrl})
     * @param host its canonical host ({@link Hosts#canonical}), IPv6 in brackets
     */
    String refusal(String url, String host);

    /** The block of a stored destination that a blocklist lists now, or null. Cheap: no I/O, no lock. */
    default LinkBlock listed(String url) {
        return null;
    }

    DestinationScreen NONE = (url, host) -> null;
}

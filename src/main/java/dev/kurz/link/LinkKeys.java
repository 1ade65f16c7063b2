package dev.kurz.link;

/**
 * A link's key: its slug on the default domain, {@code host/slug} on another. Slugs never hold a
 * '/', so the key is unambiguous; caches, invalidation messages and the store address links by it,
 * and a link on the default domain keeps the key it always had.
 */
public final class LinkKeys {
    private LinkKeys() {}

    /** @param domain the host, or null (or blank) for the default domain */
    public static String of(String domain, String slug) {
        return domain == null || domain.isEmpty() ? slug : domain + "/" + slug;
    }

    /** The host of a key, or null on the default domain. */
    public static String domain(String key) {
        int i = key.indexOf('/');
        return i < 0 ? null : key.substring(0, i);
    }

    public static String slug(String key) {
        return key.substring(key.indexOf('/') + 1);
    }
}

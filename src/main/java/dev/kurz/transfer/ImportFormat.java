package dev.kurz.transfer;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The file formats an import reads, each with the column names of its source's own export.
 * Column names match ignoring case, spaces, '_' and '-' ("Long URL" = long_url = longUrl). Every
 * format takes CSV, or JSON (an array of objects, or an object with a {@code links} or
 * {@code data} array); which one is seen from the first character.
 */
public enum ImportFormat {
    /** Kurz's own export (GET /api/v1/links/export, CSV or JSON): every setting and the click total. */
    KURZ(List.of("url", "slug", "title", "tags", "createdAt", "clicks", "expiresAt", "maxClicks", "redirectType", "forwardQuery"), ","),
    /** Plain CSV: url,slug,title,tags,createdAt (clicks optional); also what the dead letters are written in. */
    CSV(List.of("url", "slug", "title", "tags", "createdAt", "clicks"), ","),
    /** Bitly's link export: the fields of a v4 Bitlink (id, link, long_url, title, created_at, tags, custom_bitlinks) and clicks. */
    BITLY(List.of("id", "link", "long_url", "title", "created_at", "archived", "tags", "custom_bitlinks", "clicks"), ",|;"),
    /** YOURLS's yourls_url table as CSV: keyword, url, title, timestamp, ip, clicks. */
    YOURLS(List.of("keyword", "url", "title", "timestamp", "ip", "clicks"), ",|;"),
    /** Shlink's CSV export (web client): createdAt, domain, shortCode, shortUrl, longUrl, title, tags (joined by '|'), visits. */
    SHLINK(List.of("createdAt", "domain", "shortCode", "shortUrl", "longUrl", "title", "tags", "visits"), "|,;"),
    /** Kutt's links as its API lists them (GET /api/v2/links): address, target, description, visit_count, created_at, expire_in. */
    KUTT(List.of("id", "address", "target", "description", "visit_count", "created_at", "expire_in"), ",|;");

    /** The columns a header-less CSV is read with. */
    final List<String> defaultColumns;
    /** The characters that separate tags in one cell. */
    final String tagSeparators;

    ImportFormat(List<String> defaultColumns, String tagSeparators) {
        this.defaultColumns = defaultColumns;
        this.tagSeparators = tagSeparators;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format called {@code name} (any case), or null. */
    public static ImportFormat of(String name) {
        if (name == null) return null;
        for (ImportFormat f : values()) if (f.label().equalsIgnoreCase(name.strip())) return f;
        return null;
    }

    /** The keys a record of this format is read with, from its source's column names to Kurz's fields. */
    Map<String, List<String>> columns() {
        return switch (this) {
            case KURZ, CSV -> Map.of("url", List.of("url", "longurl"), "slug", List.of("slug"), "title", List.of("title"),
                    "tags", List.of("tags"), "createdAt", List.of("createdat"), "clicks", List.of("clicks"),
                    "expiresAt", List.of("expiresat"), "maxClicks", List.of("maxclicks"), "redirectType", List.of("redirecttype"),
                    "forwardQuery", List.of("forwardquery"));
            case BITLY -> Map.of("url", List.of("longurl", "destination", "url"), "slug", List.of("custombitlinks", "custombitlink", "link", "bitlink", "id"),
                    "title", List.of("title"), "tags", List.of("tags"), "createdAt", List.of("createdat", "datecreated", "created"),
                    "clicks", List.of("clicks", "totalclicks", "engagements"));
            case YOURLS -> Map.of("url", List.of("url"), "slug", List.of("keyword"), "title", List.of("title"),
                    "createdAt", List.of("timestamp"), "clicks", List.of("clicks"));
            case SHLINK -> Map.of("url", List.of("longurl"), "slug", List.of("shortcode", "shorturl"), "title", List.of("title"),
                    "tags", List.of("tags"), "createdAt", List.of("createdat", "datecreated"), "clicks", List.of("visits", "visitscount"));
            case KUTT -> Map.of("url", List.of("target"), "slug", List.of("address"), "title", List.of("description", "title"),
                    "tags", List.of("tags"), "createdAt", List.of("createdat"), "clicks", List.of("visitcount", "visits"),
                    "expiresAt", List.of("expirein", "expiresat"));
        };
    }

    /** A column name as it is matched: lower case, letters and digits only. */
    static String key(String column) {
        StringBuilder b = new StringBuilder(column.length());
        for (int i = 0; i < column.length(); i++) {
            char c = Character.toLowerCase(column.charAt(i));
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) b.append(c);
        }
        return b.toString();
    }
}

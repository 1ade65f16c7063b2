package dev.kurz.analytics;

import java.util.Locale;

/** The site a click came from, as the host of its Referer. */
final class Referrers {
    private Referrers() {}

    /**
     * The lower-case host of an http(s) Referer without a leading {@code www.}, or null for a
     * missing, non-http or unparseable one. Parsed by hand rather than with {@code java.net.URI},
     * which rejects real-world referers over a stray space or {@code |} in the path.
     */
    static String host(String referer) {
        if (referer == null) return null;
        String s = referer.trim();
        int sep = s.indexOf("://");
        if (sep < 0) return null;
        String scheme = s.substring(0, sep);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) return null;
        int start = sep + 3;
        int end = start;
        while (end < s.length() && "/?#".indexOf(s.charAt(end)) < 0) end++;
        String authority = s.substring(start, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1); // drop user:password@
        String host;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) return null;
            host = authority.substring(0, close + 1);
            if (IpAddresses.parse(host.substring(1, close)) == null) return null;
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
            if (!validHost(host)) return null;
        }
        host = host.toLowerCase(Locale.ROOT);
        // "www.com" is a site of its own, so strip only when a dot remains.
        if (host.startsWith("www.") && host.indexOf('.', 4) > 0) host = host.substring(4);
        return host;
    }

    /** Letters (any script, for IDNs), digits, '-', '_' and dots between labels. */
    private static boolean validHost(String h) {
        if (h.isEmpty() || h.length() > 253 || h.startsWith(".") || h.contains("..")) return false;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '-' && c != '.' && c != '_') return false;
        }
        return true;
    }
}

package dev.kurz.abuse;

import java.util.List;
import java.util.Set;

/**
 * Other URL shorteners: a link to one hides its real destination behind a second hop that Kurz
 * cannot screen, which is why spam chains them. A listed domain covers its subdomains.
 */
final class Shorteners {
    static final List<String> DEFAULT = List.of(
            "bit.ly", "bitly.com", "j.mp", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly", "rebrand.ly",
            "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id", "bl.ink", "lnkd.in", "dub.sh", "kutt.it", "bit.do",
            "adf.ly", "shorte.st", "ouo.io", "cli.gs", "x.co", "tr.im", "qr.ae", "clck.ru", "u.to", "snip.ly", "po.st",
            "urlz.fr", "tiny.one", "shorturl.gg", "short.gy", "surl.li", "v.ht", "2.gp", "t2m.io", "rotf.lol");

    private final Set<String> domains;

    Shorteners(List<String> domains) {
        this.domains = Set.copyOf(domains);
    }

    /** The listed shortener domain the canonical host is or belongs to, or null. */
    String match(String host) {
        for (int i = -1; ; ) {
            String suffix = host.substring(i + 1);
            if (domains.contains(suffix)) return suffix;
            i = host.indexOf('.', i + 1);
            if (i < 0) return null;
        }
    }
}

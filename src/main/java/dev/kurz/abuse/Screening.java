package dev.kurz.abuse;

import dev.kurz.config.KurzConfig;
import dev.kurz.link.DestinationScreen;
import dev.kurz.link.Hosts;
import dev.kurz.link.LinkBlock;

/**
 * The destination screen Kurz runs: this instance itself (always refused: the link would loop),
 * hosts off the public internet, homograph names, other shorteners, blocklists, in that order.
 */
public final class Screening implements DestinationScreen {
    private final String ownHost;
    private final int ownPort;
    private final boolean allowPrivate;
    private final boolean allowShorteners;
    private final Shorteners shorteners;
    private final Homographs homographs = new Homographs();
    private final Blocklists lists;

    /**
     * @param baseUrl KURZ_BASE_URL: its host, in any form a browser accepts, is this instance
     * @param lists   the blocklists, or null for none
     */
    public Screening(KurzConfig.Abuse config, java.net.URI baseUrl, Blocklists lists) {
        this.ownHost = canonicalOrNull(baseUrl.getHost());
        this.ownPort = port(baseUrl.getScheme(), baseUrl.getPort());
        this.allowPrivate = config.allowPrivate();
        this.allowShorteners = config.allowShorteners();
        this.shorteners = new Shorteners(config.shortenerDomains() != null ? config.shortenerDomains() : Shorteners.DEFAULT);
        this.lists = lists;
    }

    @Override
    public String refusal(String url, String host) {
        // Also localhost in another form, on the same port: with private hosts allowed, 127.0.0.1:8080
        // loops back to a Kurz at localhost:8080.
        if (host.equals(ownHost) || ownHost != null && PrivateHosts.isLocalMachine(ownHost) && PrivateHosts.isLocalMachine(host)
                && portOf(url) == ownPort) {
            return "must not point at this Kurz instance (" + host + "): the link would redirect to itself";
        }
        if (!allowPrivate) {
            String why = PrivateHosts.why(host);
            if (why != null) {
                return "must point at a public host, and " + why
                        + "; an administrator can allow such links with KURZ_ALLOW_PRIVATE_DESTINATIONS=true";
            }
        }
        String homograph = homographs.why(host);
        if (homograph != null) return "must not use a look-alike host name: " + homograph;
        if (!allowShorteners) {
            String shortener = shorteners.match(host);
            if (shortener != null) {
                return "must not point at another URL shortener (" + shortener + "): a chain of short links hides where it leads;"
                        + " link to the final destination instead";
            }
        }
        LinkBlock block = listed(url);
        return block == null ? null : "must not point at a blocked destination: " + block.reason();
    }

    @Override
    public LinkBlock listed(String url) {
        return lists == null ? null : lists.block(url);
    }

    private static int port(String scheme, int port) {
        return port > 0 ? port : "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }

    private static int portOf(String normalizedUrl) {
        java.net.URI u = java.net.URI.create(normalizedUrl);
        return port(u.getScheme(), u.getPort());
    }

    private static String canonicalOrNull(String host) {
        if (host == null || host.isEmpty()) return null;
        try {
            String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            return Hosts.canonical(h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h);
        } catch (IllegalArgumentException e) {
            return host.toLowerCase(java.util.Locale.ROOT);
        }
    }
}

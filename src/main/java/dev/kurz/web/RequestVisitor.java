package dev.kurz.web;

import dev.kurz.analytics.TrustedProxies;
import dev.kurz.analytics.UserAgents;
import dev.kurz.redirect.Route;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A redirect request as a smart link's rules see it, each fact worked out on first use: the client
 * address through the trusted proxies, its country (GeoIP), the user agent's device, OS and browser
 * (the analytics parser and its cache), the languages of {@code Accept-Language}. Event loop only.
 */
final class RequestVisitor implements Route.Visitor {
    private final HttpServerRequest req;
    private final SmartLinks smart;
    private final TrustedProxies proxies;
    private String ip;
    private boolean ipKnown;
    private UserAgents.Agent agent;
    private String country;
    private boolean countryKnown;
    private List<String> languages;

    RequestVisitor(HttpServerRequest req, SmartLinks smart, TrustedProxies proxies) {
        this.req = req;
        this.smart = smart;
        this.proxies = proxies;
    }

    String ip() {
        if (!ipKnown) {
            ip = RequestInfo.clientIp(req, proxies);
            ipKnown = true;
        }
        return ip;
    }

    private UserAgents.Agent agent() {
        if (agent == null) agent = smart.agents().parse(req.getHeader(HttpHeaders.USER_AGENT), req.method() == io.vertx.core.http.HttpMethod.HEAD);
        return agent;
    }

    @Override
    public String country() {
        if (!countryKnown) {
            country = smart.geo().country(ip());
            countryKnown = true;
        }
        return country;
    }

    @Override
    public String device() {
        return agent().device();
    }

    @Override
    public String os() {
        return agent().os();
    }

    @Override
    public String browser() {
        return agent().browser();
    }

    @Override
    public List<String> languages() {
        if (languages == null) languages = recentLanguages(req.getHeader(HttpHeaders.ACCEPT_LANGUAGE));
        return languages;
    }

    /**
     * The query parameter, decoded. A query that cannot hold it (no such name, nothing
     * percent-encoded that could spell it) is not decoded at all: Vert.x decodes every parameter
     * into a map on the first look-up, which a rule on {@code ?ref=} would otherwise pay on every redirect.
     */
    @Override
    public String param(String name) {
        String q = req.query();
        if (q == null || (q.indexOf(name) < 0 && q.indexOf('%') < 0)) return null;
        return req.getParam(name);
    }

    private record Parsed(String header, List<String> languages) {}

    // Browsers send a handful of distinct Accept-Language values: each parsed once, direct-mapped by
    // hash (a slot is one immutable record, so event loops share it without locks; a collision re-parses).
    private static final int RECENT = 256;
    private static final Parsed[] recent = new Parsed[RECENT];

    static List<String> recentLanguages(String header) {
        if (header == null) return List.of();
        if (header.length() > 256) return languages(header);
        int slot = (header.hashCode() * 0x9E3779B9 >>> 24) & (RECENT - 1);
        Parsed p = recent[slot];
        if (p != null && p.header.equals(header)) return p.languages;
        List<String> parsed = List.copyOf(languages(header));
        recent[slot] = new Parsed(header, parsed);
        return parsed;
    }

    @Override
    public long seed() {
        return smart.visitors().seed(ip() == null ? "" : ip(), req.getHeader(HttpHeaders.USER_AGENT));
    }

    /**
     * The primary subtags of an {@code Accept-Language} value, most preferred first (by q, then by
     * order), without duplicates, wildcards or q=0; at most 16 ranges are read.
     */
    static List<String> languages(String header) {
        if (header == null || header.isBlank()) return List.of();
        record Range(String tag, double q, int order) {}
        List<Range> ranges = new ArrayList<>();
        String[] parts = header.split(",", 17);
        for (int i = 0; i < Math.min(parts.length, 16); i++) {
            String[] p = parts[i].split(";");
            String tag = p[0].strip().toLowerCase(Locale.ROOT);
            int dash = tag.indexOf('-');
            if (dash > 0) tag = tag.substring(0, dash);
            if (tag.isEmpty() || tag.equals("*") || tag.length() > 8) continue;
            double q = 1;
            for (int j = 1; j < p.length; j++) {
                String param = p[j].strip();
                if (param.startsWith("q=") || param.startsWith("Q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) ranges.add(new Range(tag, q, i));
        }
        ranges.sort((a, b) -> a.q != b.q ? Double.compare(b.q, a.q) : Integer.compare(a.order, b.order));
        List<String> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) if (!out.contains(r.tag)) out.add(r.tag);
        return out;
    }
}

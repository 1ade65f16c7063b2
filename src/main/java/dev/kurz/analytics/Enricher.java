package dev.kurz.analytics;

/**
 * Turns a raw {@link Click} into an {@link EnrichedClick}: client IP through trusted proxies,
 * user agent to browser/OS/device/bot, IP to country, referrer to host, visitor to a salted
 * hash. Runs on the batcher thread, never on the event loop.
 */
public final class Enricher {
    static final int MAX_USER_AGENT = 512;

    private final UserAgents agents;
    private final GeoIp geo;
    private final TrustedProxies proxies;
    private final VisitorHasher visitors;
    private final IpStorage ipStorage;

    public Enricher(UserAgents agents, GeoIp geo, TrustedProxies proxies, VisitorHasher visitors, IpStorage ipStorage) {
        this.agents = agents;
        this.geo = geo;
        this.proxies = proxies;
        this.visitors = visitors;
        this.ipStorage = ipStorage;
    }

    public EnrichedClick enrich(Click c) {
        String peer = c.peer() == null ? null : c.peer().get();
        String ip = proxies.clientIp(peer, c.forwardedFor(), c.forwarded());
        UserAgents.Agent agent = agents.parse(c.userAgent(), c.head());
        String ua = c.userAgent() == null ? null
                : c.userAgent().length() <= MAX_USER_AGENT ? c.userAgent() : c.userAgent().substring(0, MAX_USER_AGENT);
        // Unique visitors count people only: a bot's click needs no keyed hash (0 stands for "none").
        long visitor = agent.bot() ? 0 : visitors.visitor(ip == null ? "" : ip, c.userAgent() == null ? "" : c.userAgent());
        return new EnrichedClick(c.linkId(), c.slug(), c.epochMillis(), visitor,
                agent.bot(), c.head(), c.counted(), geo.country(ip), agent.browser(), agent.os(), agent.device(),
                Referrers.host(c.referrer()), ipStorage.keep(ip), ua);
    }
}

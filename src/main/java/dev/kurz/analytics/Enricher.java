package dev.kurz.analytics;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns a raw {@link Click} into an {@link EnrichedClick}: client IP through trusted proxies,
 * user agent to browser/OS/device/bot, IP to country, referrer to host, visitor to a salted
 * hash. Runs on the batcher thread, never on the event loop; not thread-safe.
 *
 * <p>Enrichment is a function of the request's peer, headers and day, and a visitor's requests
 * repeat them: a small direct-mapped cache of the last {@link Visit} per slot turns the repeats into
 * a few comparisons, where the full work (formatting and parsing the address, the HMAC, the GeoIP
 * and user-agent look-ups) costs several microseconds. The peer is compared with {@code equals},
 * which for the redirect handler's peer means "the same socket address object" — one per
 * connection. Traits are interned, so the rollups count all visitors with the same country,
 * browser, OS, device and referrer under one key.
 */
public final class Enricher {
    static final int MAX_USER_AGENT = 512;
    private static final int SLOTS = 4096;
    private static final long DAY_MILLIS = 86_400_000L;

    private final UserAgents agents;
    private final GeoIp geo;
    private final TrustedProxies proxies;
    private final VisitorHasher visitors;
    private final IpStorage ipStorage;
    private final Slot[] slots = new Slot[SLOTS];
    private final java.util.Map<Visit.Traits, Visit.Traits> traits = new java.util.HashMap<>();
    /**
     * Recent visits by hash, one per slot: equal visits from other connections become one instance.
     * Direct-mapped, not a map: with real visitors nearly every visit is new, and a map of the last
     * 65,536 kept them all alive through young collections into the old generation.
     */
    private final Visit[] visits = new Visit[SLOTS];

    /** The request facts a cached visit was made from. */
    private record Slot(Supplier<String> peer, String userAgent, String referrer, boolean head, String forwardedFor,
                        String forwarded, long day, Visit visit) {
        boolean matches(Click c, long day) {
            return day == this.day && head == c.head() && Objects.equals(peer, c.peer()) && Objects.equals(userAgent, c.userAgent())
                    && Objects.equals(referrer, c.referrer()) && Objects.equals(forwardedFor, c.forwardedFor())
                    && Objects.equals(forwarded, c.forwarded());
        }
    }

    public Enricher(UserAgents agents, GeoIp geo, TrustedProxies proxies, VisitorHasher visitors, IpStorage ipStorage) {
        this.agents = agents;
        this.geo = geo;
        this.proxies = proxies;
        this.visitors = visitors;
        this.ipStorage = ipStorage;
    }

    public EnrichedClick enrich(Click c) {
        long day = Math.floorDiv(c.epochMillis(), DAY_MILLIS);
        int h = Objects.hashCode(c.peer()) * 31 + Objects.hashCode(c.userAgent());
        h = h * 31 + Objects.hashCode(c.referrer());
        int i = (h ^ (h >>> 16)) & (SLOTS - 1);
        Slot s = slots[i];
        if (s == null || !s.matches(c, day)) {
            s = new Slot(c.peer(), c.userAgent(), c.referrer(), c.head(), c.forwardedFor(), c.forwarded(), day, visit(c));
            slots[i] = s;
        }
        return new EnrichedClick(c.linkId(), c.slug(), c.epochMillis(), c.counted(), s.visit(), c.target());
    }

    private Visit visit(Click c) {
        String peer = c.peer() == null ? null : c.peer().get();
        String ip = proxies.clientIp(peer, c.forwardedFor(), c.forwarded());
        UserAgents.Agent agent = agents.parse(c.userAgent(), c.head());
        String ua = c.userAgent() == null ? null
                : c.userAgent().length() <= MAX_USER_AGENT ? c.userAgent() : c.userAgent().substring(0, MAX_USER_AGENT);
        // Unique visitors count people only: a bot's click needs no keyed hash (0 stands for "none").
        long visitor = agent.bot() ? 0 : visitors.visitor(ip == null ? "" : ip, c.userAgent() == null ? "" : c.userAgent());
        Visit.Traits t = new Visit.Traits(agent.bot(), geo.country(ip), agent.browser(), agent.os(), agent.device(),
                Referrers.host(c.referrer()));
        if (traits.size() >= SLOTS) traits.clear(); // referrer hosts are unbounded: keep the interning table small
        Visit v = new Visit(visitor, c.head(), traits.computeIfAbsent(t, k -> k), ipStorage.keep(ip), ua);
        // A visitor's requests on other connections make the same visit: one instance keeps the
        // click log's per-row dictionary of visits small.
        int i = (v.hashCode() * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(SLOTS));
        Visit seen = visits[i];
        if (v.equals(seen)) return seen;
        visits[i] = v;
        return v;
    }
}

package dev.kurz.analytics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the batcher accumulated since its last write: per-link rollups (minute, hour, daily
 * dimension counts, unique-visitor sketch registers), the same for link 0 (all links), the
 * link counters, and the raw events. Everything in it merges additively (or by max, for sketch
 * registers), so writing it from any number of nodes gives the exact sum.
 */
public final class ClickAggregate {
    /** The link id under which totals over all links are kept. */
    public static final long ALL_LINKS = 0;
    public static final List<String> DIMENSIONS = List.of("country", "referrer", "browser", "os", "device");

    /** A link and a whole unit of time since the epoch (minute, hour or day). */
    public record TimeKey(long linkId, long unit) {}

    /** A link, a day, a dimension and one of its values. */
    public record DimKey(long linkId, long day, String dim, String value) {}

    /** A link, a day and one HyperLogLog register. */
    public record RegisterKey(long linkId, long day, int register) {}

    /** Counters of one time bucket: all clicks and human (non-bot) clicks. */
    public static final class Counts {
        public long clicks;
        public long human;
    }

    /**
     * Everything the rollups need of a click but its visitor: clicks that share a profile are
     * counted once per profile, so the per-click cost is one map update, not one per rollup row.
     */
    record Profile(long linkId, long minute, boolean bot, String country, String referrer, String browser, String os, String device) {}

    final Map<Profile, long[]> profiles = new HashMap<>();
    final Map<RegisterKey, Integer> registers = new HashMap<>();
    final Map<Long, Long> linkClicks = new HashMap<>();
    final List<EnrichedClick> events = new ArrayList<>();
    private Map<TimeKey, Counts> minutes;
    private Map<TimeKey, Counts> hours;
    private Map<DimKey, long[]> dims;

    /** Adds one click. HEAD requests (link previews) count as bot clicks and are not link clicks. */
    void add(EnrichedClick c) {
        long minute = Math.floorDiv(c.epochMillis(), 60_000L);
        Profile p = new Profile(c.linkId(), minute, c.bot(), nz(c.country()), nz(c.referrerHost()), nz(c.browser()), nz(c.os()), nz(c.device()));
        profiles.computeIfAbsent(p, k -> new long[1])[0]++;
        if (!c.bot()) {
            long day = Math.floorDiv(minute, 1440);
            int reg = Hll.register(c.visitor());
            int rank = Hll.rank(c.visitor());
            registers.merge(new RegisterKey(c.linkId(), day, reg), rank, Math::max);
            registers.merge(new RegisterKey(ALL_LINKS, day, reg), rank, Math::max);
        }
        if (!c.counted() && !c.head()) linkClicks.merge(c.linkId(), 1L, Long::sum);
        events.add(c);
        minutes = null;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** Expands the profiles into the rows of each rollup, for the link and for all links. */
    private void expand() {
        if (minutes != null) return;
        minutes = new HashMap<>();
        hours = new HashMap<>();
        dims = new HashMap<>();
        for (Map.Entry<Profile, long[]> e : profiles.entrySet()) {
            Profile p = e.getKey();
            long n = e.getValue()[0];
            long hour = Math.floorDiv(p.minute(), 60);
            long day = Math.floorDiv(hour, 24);
            for (long link : new long[] {p.linkId(), ALL_LINKS}) {
                count(minutes, new TimeKey(link, p.minute()), n, p.bot());
                count(hours, new TimeKey(link, hour), n, p.bot());
                dim(link, day, "country", p.country(), n);
                dim(link, day, "referrer", p.referrer(), n);
                dim(link, day, "browser", p.browser(), n);
                dim(link, day, "os", p.os(), n);
                dim(link, day, "device", p.device(), n);
            }
        }
    }

    private static void count(Map<TimeKey, Counts> map, TimeKey key, long n, boolean bot) {
        Counts c = map.computeIfAbsent(key, k -> new Counts());
        c.clicks += n;
        if (!bot) c.human += n;
    }

    private void dim(long link, long day, String dim, String value, long n) {
        dims.computeIfAbsent(new DimKey(link, day, dim, value), k -> new long[1])[0] += n;
    }

    public Map<TimeKey, Counts> minutes() {
        expand();
        return minutes;
    }

    public Map<TimeKey, Counts> hours() {
        expand();
        return hours;
    }

    public Map<DimKey, long[]> dims() {
        expand();
        return dims;
    }

    public Map<RegisterKey, Integer> registers() {
        return registers;
    }

    public Map<Long, Long> linkClicks() {
        return linkClicks;
    }

    public List<EnrichedClick> events() {
        return events;
    }

    public boolean isEmpty() {
        return events.isEmpty() && linkClicks.isEmpty();
    }

    public int size() {
        return events.size();
    }
}

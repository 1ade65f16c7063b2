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
     * A link, a minute and a visit's traits: clicks that share them are counted once, so the
     * per-click cost is one map update, not one per rollup row. Traits compare by identity (the
     * enricher interns them); equal traits in two instances only make two entries that
     * {@link #expand()} adds up.
     */
    record Profile(long linkId, long minute, Visit.Traits traits) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Profile p && p.linkId == linkId && p.minute == minute && p.traits == traits;
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(linkId) * 31 + Long.hashCode(minute)) * 31 + System.identityHashCode(traits);
        }
    }

    final Map<Profile, long[]> profiles = new HashMap<>();
    final Map<RegisterKey, Integer> registers = new HashMap<>();
    final Map<Long, Long> linkClicks = new HashMap<>();
    final List<EnrichedClick> events = new ArrayList<>();
    private long rollupClicks;
    private Map<TimeKey, Counts> minutes;
    private Map<TimeKey, Counts> hours;
    private Map<DimKey, long[]> dims;

    /** Adds one click. HEAD requests (link previews) count as bot clicks and are not link clicks. */
    public void add(EnrichedClick c) {
        long minute = Math.floorDiv(c.epochMillis(), 60_000L);
        profiles.computeIfAbsent(new Profile(c.linkId(), minute, c.visit().traits()), k -> new long[1])[0]++;
        if (!c.bot()) {
            long day = Math.floorDiv(minute, 1440);
            int reg = Hll.register(c.visitor());
            int rank = Hll.rank(c.visitor());
            registers.merge(new RegisterKey(c.linkId(), day, reg), rank, Math::max);
            registers.merge(new RegisterKey(ALL_LINKS, day, reg), rank, Math::max);
        }
        if (!c.counted() && !c.head()) linkClicks.merge(c.linkId(), 1L, Long::sum);
        events.add(c);
        rollupClicks++;
        minutes = null;
    }

    /**
     * Adds the rollups of {@code other} (not its raw events): what a store that writes rollups later
     * than raw clicks keeps in memory meanwhile.
     */
    public void addRollups(ClickAggregate other) {
        other.profiles.forEach((p, n) -> profiles.computeIfAbsent(p, k -> new long[1])[0] += n[0]);
        other.registers.forEach((k, rank) -> registers.merge(k, rank, Math::max));
        other.linkClicks.forEach((k, n) -> linkClicks.merge(k, n, Long::sum));
        rollupClicks += other.rollupClicks;
        minutes = null;
    }

    /** Clicks counted in the rollups, also those added by {@link #addRollups}. */
    public long rollupClicks() {
        return rollupClicks;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** Expands the profiles into the rows of each rollup, for the link and for all links. */
    private synchronized void expand() {
        if (minutes != null) return;
        minutes = new HashMap<>();
        hours = new HashMap<>();
        dims = new HashMap<>();
        for (Map.Entry<Profile, long[]> e : profiles.entrySet()) {
            Profile p = e.getKey();
            Visit.Traits v = p.traits();
            long n = e.getValue()[0];
            long hour = Math.floorDiv(p.minute(), 60);
            long day = Math.floorDiv(hour, 24);
            for (long link : new long[] {p.linkId(), ALL_LINKS}) {
                count(minutes, new TimeKey(link, p.minute()), n, v.bot());
                count(hours, new TimeKey(link, hour), n, v.bot());
                dim(link, day, "country", nz(v.country()), n);
                dim(link, day, "referrer", nz(v.referrerHost()), n);
                dim(link, day, "browser", nz(v.browser()), n);
                dim(link, day, "os", nz(v.os()), n);
                dim(link, day, "device", nz(v.device()), n);
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
        return events.isEmpty() && linkClicks.isEmpty() && profiles.isEmpty();
    }

    public int size() {
        return events.size();
    }
}

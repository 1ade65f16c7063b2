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

    final Map<TimeKey, Counts> minutes = new HashMap<>();
    final Map<TimeKey, Counts> hours = new HashMap<>();
    final Map<DimKey, long[]> dims = new HashMap<>();
    final Map<RegisterKey, Integer> registers = new HashMap<>();
    final Map<Long, Long> linkClicks = new HashMap<>();
    final List<EnrichedClick> events = new ArrayList<>();

    /** Adds one click. HEAD requests (link previews) count as bot clicks and are not link clicks. */
    void add(EnrichedClick c) {
        long minute = Math.floorDiv(c.epochMillis(), 60_000L);
        long hour = Math.floorDiv(minute, 60);
        long day = Math.floorDiv(hour, 24);
        boolean human = !c.bot();
        for (long link : new long[] {c.linkId(), ALL_LINKS}) {
            count(minutes, new TimeKey(link, minute), human);
            count(hours, new TimeKey(link, hour), human);
            dim(link, day, "country", c.country() == null ? "" : c.country());
            dim(link, day, "referrer", c.referrerHost() == null ? "" : c.referrerHost());
            dim(link, day, "browser", c.browser());
            dim(link, day, "os", c.os());
            dim(link, day, "device", c.device());
            if (human) registers.merge(new RegisterKey(link, day, Hll.register(c.visitor())), Hll.rank(c.visitor()), Math::max);
        }
        if (!c.counted() && !c.head()) linkClicks.merge(c.linkId(), 1L, Long::sum);
        events.add(c);
    }

    private static void count(Map<TimeKey, Counts> map, TimeKey key, boolean human) {
        Counts n = map.computeIfAbsent(key, k -> new Counts());
        n.clicks++;
        if (human) n.human++;
    }

    private void dim(long link, long day, String dim, String value) {
        dims.computeIfAbsent(new DimKey(link, day, dim, value == null ? "" : value), k -> new long[1])[0]++;
    }

    public Map<TimeKey, Counts> minutes() {
        return minutes;
    }

    public Map<TimeKey, Counts> hours() {
        return hours;
    }

    public Map<DimKey, long[]> dims() {
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

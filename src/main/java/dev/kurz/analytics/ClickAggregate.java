package dev.kurz.analytics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the batcher accumulated since its last write: per-link rollups (minute, hour, daily
 * dimension counts, unique-visitor sketch registers), the same for link 0 (all links), the
 * link counters, and the raw events. Everything in it merges additively (or by max, for sketch
 * registers), so writing it from any number of nodes gives the exact sum. The SQLite click log
 * also keeps the rollups of its unfolded rows in one ({@link #addRollups}).
 */
public final class ClickAggregate {
    /** The link id under which totals over all links are kept. */
    public static final long ALL_LINKS = 0;
    public static final List<String> DIMENSIONS = List.of("country", "referrer", "browser", "os", "device", "target");

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
     * One link's clicks by minute and traits, and its link-counter increments. Clicks that share a
     * minute and traits are counted once, so the per-click cost is one link look-up and a short
     * scan, not one map update per rollup row. Traits compare by identity (the enricher interns
     * them); equal traits in two instances only make two entries that {@link #expand()} adds up.
     */
    static final class PerLink {
        private static final int SCAN = 16;
        final long id;
        long linkClicks;
        // The first (minute, traits) inline: most links see one per flush, and each array would be
        // one more cache miss per click.
        private long minute0;
        private Visit.Traits traits0;
        private long count0;
        private int size;
        private long[] minute;
        private Visit.Traits[] traits;
        private long[] count;
        /** Past SCAN entries (a popular link with many countries, referrers, …): position by key. */
        private Map<Key, Integer> index;
        // What a smart link served, by day: a handful of values (its rules, variants and own URL,
        // made once per cached link, so usually the same String), scanned in place like the traits.
        private long[] targetDay;
        private String[] targetValue;
        private long[] targetCount;
        private int targets;

        PerLink(long id) {
            this.id = id;
        }

        private record Key(long minute, Visit.Traits traits) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.minute == minute && k.traits == traits;
            }

            @Override
            public int hashCode() {
                return Long.hashCode(minute) * 31 + System.identityHashCode(traits);
            }
        }

        /** One count of the link. */
        interface Entry {
            void visit(long minute, Visit.Traits traits, long count);
        }

        void forEach(Entry e) {
            if (traits0 != null) e.visit(minute0, traits0, count0);
            for (int i = 0; i < size; i++) e.visit(minute[i], traits[i], count[i]);
        }

        void target(long day, String value, long n) {
            for (int i = targets - 1; i >= 0; i--) {
                String v = targetValue[i];
                if (targetDay[i] == day && (v == value || v.equals(value))) {
                    targetCount[i] += n;
                    return;
                }
            }
            if (targetValue == null) {
                targetDay = new long[2];
                targetValue = new String[2];
                targetCount = new long[2];
            } else if (targets == targetValue.length) {
                targetDay = java.util.Arrays.copyOf(targetDay, targets * 2);
                targetValue = java.util.Arrays.copyOf(targetValue, targets * 2);
                targetCount = java.util.Arrays.copyOf(targetCount, targets * 2);
            }
            targetDay[targets] = day;
            targetValue[targets] = value;
            targetCount[targets] = n;
            targets++;
        }

        void count(long m, Visit.Traits t, long n) {
            if (traits0 == t && minute0 == m) {
                count0 += n;
                return;
            }
            if (traits0 == null) {
                minute0 = m;
                traits0 = t;
                count0 = n;
                return;
            }
            if (index == null) {
                for (int i = size - 1; i >= 0; i--) {
                    if (traits[i] == t && minute[i] == m) {
                        count[i] += n;
                        return;
                    }
                }
            } else {
                Integer i = index.get(new Key(m, t));
                if (i != null) {
                    count[i] += n;
                    return;
                }
            }
            if (minute == null) {
                minute = new long[2];
                traits = new Visit.Traits[2];
                count = new long[2];
            } else if (size == traits.length) {
                minute = java.util.Arrays.copyOf(minute, size * 2);
                traits = java.util.Arrays.copyOf(traits, size * 2);
                count = java.util.Arrays.copyOf(count, size * 2);
            }
            minute[size] = m;
            traits[size] = t;
            count[size] = n;
            if (index != null) {
                index.put(new Key(m, t), size);
            } else if (size == SCAN) {
                index = new HashMap<>();
                for (int i = 0; i <= size; i++) index.put(new Key(minute[i], traits[i]), i);
            }
            size++;
        }
    }

    /**
     * Links by id, open addressing over the entries themselves: a look-up is one slot and the entry
     * it points to, where a map of boxed keys cost a handful of cache misses per click.
     */
    static final class Links {
        private PerLink[] table = new PerLink[64];
        private int size;

        PerLink get(long id) {
            int mask = table.length - 1;
            for (int i = slot(id, mask); ; i = (i + 1) & mask) {
                PerLink l = table[i];
                if (l == null || l.id == id) return l;
            }
        }

        PerLink getOrAdd(long id) {
            int mask = table.length - 1;
            for (int i = slot(id, mask); ; i = (i + 1) & mask) {
                PerLink l = table[i];
                if (l == null) {
                    l = new PerLink(id);
                    table[i] = l;
                    if (++size * 2 > table.length) grow();
                    return l;
                }
                if (l.id == id) return l;
            }
        }

        int size() {
            return size;
        }

        void forEach(java.util.function.Consumer<PerLink> action) {
            for (PerLink l : table) if (l != null) action.accept(l);
        }

        private void grow() {
            PerLink[] old = table;
            table = new PerLink[old.length * 2];
            int mask = table.length - 1;
            for (PerLink l : old) {
                if (l == null) continue;
                int i = slot(l.id, mask);
                while (table[i] != null) i = (i + 1) & mask;
                table[i] = l;
            }
        }

        private static int slot(long id, int mask) {
            return (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & mask; // Fibonacci hashing spreads sequential ids
        }
    }

    final Links links = new Links();
    final Registers registers = new Registers();
    final List<EnrichedClick> events = new ArrayList<>();
    private long rollupClicks;
    private Map<TimeKey, Counts> minutes;
    private Map<TimeKey, Counts> hours;
    private Map<DimKey, long[]> dims;
    private Map<Long, Long> linkClicks;

    private PerLink link(long id) {
        return links.getOrAdd(id);
    }

    /**
     * Adds one click. HEAD requests (link previews, monitors) are not clicks and are ignored: the
     * batcher does not pass them on, and this keeps them out when an older click log is replayed.
     */
    public void add(EnrichedClick c) {
        if (c.head()) return;
        long minute = Math.floorDiv(c.epochMillis(), 60_000L);
        PerLink l = link(c.linkId());
        l.count(minute, c.visit().traits(), 1);
        if (!c.counted()) l.linkClicks++;
        if (c.target() != null) l.target(Math.floorDiv(minute, 1440), c.target(), 1);
        if (!c.bot()) {
            long day = Math.floorDiv(minute, 1440);
            int reg = Hll.register(c.visitor());
            int rank = Hll.rank(c.visitor());
            registers.max(c.linkId(), day, reg, rank);
            registers.max(ALL_LINKS, day, reg, rank);
        }
        events.add(c);
        rollupClicks++;
        minutes = null;
    }

    /**
     * Adds the rollups of {@code other} (not its raw events): what a store that writes rollups later
     * than raw clicks keeps in memory meanwhile.
     */
    public void addRollups(ClickAggregate other) {
        other.links.forEach(o -> {
            PerLink l = link(o.id);
            o.forEach(l::count);
            for (int i = 0; i < o.targets; i++) l.target(o.targetDay[i], o.targetValue[i], o.targetCount[i]);
            l.linkClicks += o.linkClicks;
        });
        registers.addAll(other.registers);
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
        Map<TimeKey, Counts> minutes = new HashMap<>();
        hours = new HashMap<>();
        dims = new HashMap<>();
        linkClicks = new HashMap<>();
        links.forEach(l -> {
            long id = l.id;
            if (l.linkClicks != 0) linkClicks.put(id, l.linkClicks);
            l.forEach((minute, v, n) -> {
                long hour = Math.floorDiv(minute, 60);
                long day = Math.floorDiv(hour, 24);
                for (long link : new long[] {id, ALL_LINKS}) {
                    count(minutes, new TimeKey(link, minute), n, v.bot());
                    count(hours, new TimeKey(link, hour), n, v.bot());
                    dim(link, day, "country", nz(v.country()), n);
                    dim(link, day, "referrer", nz(v.referrerHost()), n);
                    dim(link, day, "browser", nz(v.browser()), n);
                    dim(link, day, "os", nz(v.os()), n);
                    dim(link, day, "device", nz(v.device()), n);
                }
            });
            // Targets are the link's own: "variant:0" of one link says nothing of another's.
            for (int i = 0; i < l.targets; i++) dim(id, l.targetDay[i], "target", l.targetValue[i], l.targetCount[i]);
        });
        this.minutes = minutes;
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

    public Registers registers() {
        return registers;
    }

    public Map<Long, Long> linkClicks() {
        expand();
        return linkClicks;
    }

    /** One link's counter increments (clicks that are not already counted). */
    public long linkClicks(long linkId) {
        PerLink l = links.get(linkId);
        return l == null ? 0 : l.linkClicks;
    }

    public List<EnrichedClick> events() {
        return events;
    }

    public boolean isEmpty() {
        return events.isEmpty() && links.size() == 0;
    }

    public int size() {
        return events.size();
    }
}

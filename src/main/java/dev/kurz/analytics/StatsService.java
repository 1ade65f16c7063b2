package dev.kurz.analytics;

import dev.kurz.analytics.Stats.Interval;
import dev.kurz.analytics.StatsStore.Bucket;
import dev.kurz.analytics.StatsStore.Resolution;
import dev.kurz.analytics.StatsStore.ValueCount;
import dev.kurz.problem.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Answers stats questions from the rollups only — never by counting raw rows — so a range over
 * tens of millions of clicks costs a few thousand rows at most. Series come from minute rollups
 * (interval=minute) or hour rollups (hour, day; days are cut at local midnight of the requested
 * zone, to the hour); breakdowns and unique visitors cover the whole UTC days the range touches.
 */
public final class StatsService {
    public static final int TOP = 10;
    static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    static final Map<Interval, Duration> MAX_RANGE = Map.of(
            Interval.MINUTE, Duration.ofDays(2), Interval.HOUR, Duration.ofDays(93), Interval.DAY, Duration.ofDays(3 * 366));

    private final StatsStore store;
    private final InstantSource clock;
    private final LongSupplier dropped;
    private final Executor executor;

    /** @param executor runs the independent reads of one question side by side (virtual threads) */
    public StatsService(StatsStore store, InstantSource clock, LongSupplier dropped, Executor executor) {
        this.store = store;
        this.clock = clock;
        this.dropped = dropped;
        this.executor = executor;
    }

    /** The question, validated: a range, a point width and a time zone. */
    public record Query(Instant from, Instant to, Interval interval, ZoneId zone) {}

    /** Builds a query from the raw parameters, with the defaults (last 7 days, hourly, UTC). */
    public Query query(String from, String to, String interval, String tz) {
        Instant end = to == null || to.isBlank() ? clock.instant().truncatedTo(ChronoUnit.MILLIS) : instant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(DEFAULT_RANGE) : instant("from", from);
        Interval iv;
        try {
            iv = interval == null || interval.isBlank() ? Interval.HOUR : Interval.valueOf(interval.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("interval: must be minute, hour or day");
        }
        ZoneId zone;
        try {
            zone = tz == null || tz.isBlank() ? ZoneId.of("UTC") : ZoneId.of(tz.strip());
        } catch (RuntimeException e) {
            throw bad("tz: '" + tz + "' is not a time zone; use an IANA name such as Europe/Berlin, or UTC");
        }
        if (!start.isBefore(end)) throw bad("from must be before to");
        if (Duration.between(start, end).compareTo(MAX_RANGE.get(iv)) > 0) {
            throw bad("the range is too long for interval=" + iv.name().toLowerCase(java.util.Locale.ROOT)
                    + ": at most " + MAX_RANGE.get(iv).toDays() + " days");
        }
        return new Query(start, end, iv, zone);
    }

    /** Stats of one link ({@code linkId}), or of all links ({@link ClickAggregate#ALL_LINKS}) with the top links. */
    public Stats stats(long linkId, Query q) {
        long fromDay = Math.floorDiv(q.from().toEpochMilli(), 86_400_000L);
        long toDay = Math.floorDiv(q.to().toEpochMilli() - 1, 86_400_000L);
        // Four independent reads: side by side, the answer takes as long as the slowest, not the sum.
        CompletableFuture<Map<String, List<ValueCount>>> dims =
                CompletableFuture.supplyAsync(() -> store.dimensions(linkId, fromDay, toDay), executor);
        CompletableFuture<byte[]> registers = CompletableFuture.supplyAsync(() -> store.uniqueRegisters(linkId, fromDay, toDay), executor);
        CompletableFuture<List<StatsStore.LinkCount>> top = linkId == ClickAggregate.ALL_LINKS
                ? CompletableFuture.supplyAsync(() -> store.topLinks(hourOf(q.from()), ceilHour(q.to()), TOP), executor)
                : CompletableFuture.completedFuture(List.of());
        List<Stats.Point> series = series(linkId, q);
        long clicks = 0;
        long human = 0;
        for (Stats.Point p : series) {
            clicks += p.clicks();
            human += p.humanClicks();
        }
        Map<String, List<ValueCount>> breakdowns = new LinkedHashMap<>();
        Map<String, List<ValueCount>> raw = join(dims);
        for (String dim : ClickAggregate.DIMENSIONS) breakdowns.put(dim, top(dim, raw.getOrDefault(dim, List.of())));
        long uniques = Hll.estimate(join(registers));
        List<StatsStore.LinkCount> topLinks = join(top);
        return new Stats(q.from(), q.to(), q.interval(), q.zone(),
                new Stats.Totals(clicks, human, clicks - human, uniques, dropped.getAsLong()), series, breakdowns, topLinks);
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private List<Stats.Point> series(long linkId, Query q) {
        boolean minutes = q.interval() == Interval.MINUTE;
        Resolution res = minutes ? Resolution.MINUTE : Resolution.HOUR;
        long unitMillis = minutes ? 60_000L : 3_600_000L;
        long fromUnit = Math.floorDiv(q.from().toEpochMilli(), unitMillis);
        long toUnit = Math.floorDiv(q.to().toEpochMilli() + unitMillis - 1, unitMillis);
        // Dense buckets keyed by their start in the requested zone.
        TreeMap<Instant, long[]> buckets = new TreeMap<>();
        ZonedDateTime cursor = bucketStart(q.from(), q);
        while (cursor.toInstant().isBefore(q.to())) {
            buckets.put(cursor.toInstant(), new long[2]);
            cursor = next(cursor, q.interval());
        }
        for (Bucket b : store.series(linkId, res, fromUnit, toUnit)) {
            Instant at = Instant.ofEpochMilli(b.unit() * unitMillis);
            Map.Entry<Instant, long[]> e = buckets.floorEntry(at);
            if (e == null) continue;
            e.getValue()[0] += b.clicks();
            e.getValue()[1] += b.human();
        }
        List<Stats.Point> out = new ArrayList<>(buckets.size());
        buckets.forEach((t, v) -> out.add(new Stats.Point(t.atZone(q.zone()).toOffsetDateTime(), v[0], v[1])));
        return out;
    }

    private static ZonedDateTime bucketStart(Instant t, Query q) {
        ZonedDateTime z = t.atZone(q.zone());
        return switch (q.interval()) {
            case MINUTE -> z.truncatedTo(ChronoUnit.MINUTES);
            case HOUR -> z.truncatedTo(ChronoUnit.HOURS);
            case DAY -> z.truncatedTo(ChronoUnit.DAYS);
        };
    }

    private static ZonedDateTime next(ZonedDateTime z, Interval iv) {
        return switch (iv) {
            case MINUTE -> z.plusMinutes(1);
            case HOUR -> z.plusHours(1);
            case DAY -> z.plusDays(1).truncatedTo(ChronoUnit.DAYS);
        };
    }

    /** The top {@link #TOP} values, plus "other" for the rest. Unknown values get a readable name. */
    static List<ValueCount> top(String dim, List<ValueCount> sorted) {
        List<ValueCount> out = new ArrayList<>(Math.min(sorted.size(), TOP + 1));
        long other = 0;
        for (int i = 0; i < sorted.size(); i++) {
            ValueCount v = sorted.get(i);
            if (i < TOP) out.add(v.value().isEmpty() ? new ValueCount(unknownName(dim), v.clicks()) : v);
            else other += v.clicks();
        }
        if (other > 0) out.add(new ValueCount("other", other));
        return out;
    }

    private static String unknownName(String dim) {
        return dim.equals("referrer") ? "direct" : "unknown";
    }

    private static long hourOf(Instant t) {
        return Math.floorDiv(t.toEpochMilli(), 3_600_000L);
    }

    private static long ceilHour(Instant t) {
        return Math.floorDiv(t.toEpochMilli() + 3_599_999L, 3_600_000L);
    }

    private static Instant instant(String name, String value) {
        try {
            return dev.kurz.link.Rfc3339.parse(value);
        } catch (RuntimeException e) {
            throw bad(name + ": must be an RFC 3339 date-time such as 2026-11-01T00:00:00Z");
        }
    }

    private static ProblemException bad(String detail) {
        return new ProblemException("bad-request", "Bad request", 400, detail);
    }
}

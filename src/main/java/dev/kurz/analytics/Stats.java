package dev.kurz.analytics;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** The answer to a stats question: totals, a dense time series and top-10 breakdowns. */
public record Stats(
        Instant from,
        Instant to,
        Interval interval,
        ZoneId zone,
        Totals totals,
        List<Point> series,
        Map<String, List<StatsStore.ValueCount>> breakdowns,
        List<StatsStore.LinkCount> topLinks) {

    /** Width of one series point. */
    public enum Interval { MINUTE, HOUR, DAY }

    public record Totals(long clicks, long humanClicks, long bots, long uniqueVisitors, long dropped) {}

    /** One point of the series, starting at {@code t} (in the requested time zone). */
    public record Point(java.time.OffsetDateTime t, long clicks, long humanClicks) {}
}

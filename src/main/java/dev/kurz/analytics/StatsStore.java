package dev.kurz.analytics;

import java.util.List;
import java.util.Map;

/** Reads of the click rollups and raw events. Blocking. */
public interface StatsStore {
    /** Which rollup a series reads: minutes or hours since the epoch. */
    enum Resolution { MINUTE, HOUR }

    /** Clicks and human clicks in one unit of time. */
    record Bucket(long unit, long clicks, long human) {}

    /** One value of a dimension and its clicks. */
    record ValueCount(String value, long clicks) {}

    /** A link's clicks in a range. */
    record LinkCount(String slug, long clicks) {}

    /**
     * A stored raw click. {@code target}: what a smart link served ({@code rule:N}, {@code variant:N}
     * or the URL), null for a plain link and for clicks stored before targets were kept.
     */
    record StoredClick(long id, long epochMillis, long visitor, boolean bot, String country, String browser, String os,
                       String device, String referrerHost, String ip, String userAgent, String target) {}

    /** Non-empty buckets in [fromUnit, toUnit), ascending. */
    List<Bucket> series(long linkId, Resolution resolution, long fromUnit, long toUnit);

    /** Clicks per value for each dimension over the days [fromDay, toDay], highest first. */
    Map<String, List<ValueCount>> dimensions(long linkId, long fromDay, long toDay);

    /** The merged unique-visitor registers (max rank per register) over the days [fromDay, toDay]. */
    byte[] uniqueRegisters(long linkId, long fromDay, long toDay);

    /** Links by clicks in the hours [fromHour, toHour), highest first. */
    List<LinkCount> topLinks(long fromHour, long toHour, int limit);

    /** Raw clicks of a link in [fromMillis, toMillis), newest first, strictly before the cursor when given. */
    List<StoredClick> events(long linkId, long fromMillis, long toMillis, Long beforeMillis, Long beforeId, int limit);

    /** Deletes raw clicks and minute rollups older than {@code cutoffMillis}; returns what it removed, roughly. */
    long purgeBefore(long cutoffMillis);
}

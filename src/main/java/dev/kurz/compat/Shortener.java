package dev.kurz.compat;

import dev.kurz.analytics.StatsStore;
import dev.kurz.analytics.StatsStore.StoredClick;
import dev.kurz.audit.Actor;
import dev.kurz.audit.AuditLog;
import dev.kurz.link.Link;
import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkPatch;
import dev.kurz.link.LinkService;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What every compatible API does with links and clicks, on the same services as {@code /api/v1}
 * (rules, screening, audit trail). Blocking: call it from a virtual thread.
 *
 * <p>Other shorteners page by offset, count totals and order by clicks; Kurz's store pages by
 * cursor. So lists here read every link the caller may see (at most {@link #MAX_LINKS}) and page in
 * memory, and visit lists read raw clicks (at most {@link #MAX_VISITS}) from the start of their
 * retention: fine for the thousands of links a self-hosted shortener holds, not for millions.
 */
public final class Shortener {
    public static final int MAX_LINKS = 100_000;
    public static final int MAX_VISITS = 10_000;

    private final LinkService links;
    private final StatsStore stats;
    private final AuditLog audit;
    private final InstantSource clock;
    private final Duration rawRetention;
    private final dev.kurz.analytics.OrphanVisits orphans;

    /** @param orphans the visits to unknown slugs (null: none recorded) */
    public Shortener(LinkService links, StatsStore stats, AuditLog audit, dev.kurz.analytics.OrphanVisits orphans, InstantSource clock,
                     int rawRetentionDays) {
        this.orphans = orphans;
        this.links = links;
        this.stats = stats;
        this.audit = audit;
        this.clock = clock;
        this.rawRetention = Duration.ofDays(rawRetentionDays);
    }

    public Instant now() {
        return clock.instant();
    }

    public Link create(LinkDraft draft, Actor who, Long keyId) {
        Link l = links.create(draft, keyId);
        audit.linkCreated(who, l);
        return l;
    }

    public Link get(String slug, Long visibleTo) {
        return links.get(slug, visibleTo);
    }

    public Link change(String slug, LinkPatch patch, Actor who, Long visibleTo) {
        var change = links.change(slug, patch, visibleTo);
        audit.linkUpdated(who, change);
        return change.after();
    }

    public Link remove(String slug, Actor who, Long visibleTo) {
        Link l = links.remove(slug, visibleTo);
        audit.linkDeleted(who, l);
        return l;
    }

    /** Every link the caller may see (newest first), optionally with a tag and a text (slug, URL, title). */
    public List<Link> all(Long visibleTo, String tag, String text) {
        List<Link> out = new ArrayList<>();
        String cursor = null;
        do {
            var page = links.list(LinkService.MAX_PAGE, cursor, tag, text, visibleTo);
            out.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null && out.size() < MAX_LINKS);
        return out;
    }

    /** A page of the links the caller may see, newest first, by Kurz's own cursor. */
    public LinkService.Page page(int limit, String cursor, String tag, String text, Long visibleTo) {
        return links.list(limit, cursor, tag, text, visibleTo);
    }

    /** A link's clicks per minute ({@code minutes}) or per hour in [fromMillis, toMillis): non-empty units, ascending. */
    public List<StatsStore.Bucket> series(Link l, boolean minutes, long fromMillis, long toMillis) {
        long unit = minutes ? 60_000L : 3_600_000L;
        return stats.series(l.id(), minutes ? StatsStore.Resolution.MINUTE : StatsStore.Resolution.HOUR,
                Math.floorDiv(fromMillis, unit), Math.floorDiv(toMillis + unit - 1, unit));
    }

    /** A link's clicks per value of a dimension ({@code country}, {@code referrer}, …) over the UTC days the range touches. */
    public List<StatsStore.ValueCount> breakdown(Link l, String dimension, long fromMillis, long toMillis) {
        var all = stats.dimensions(l.id(), Math.floorDiv(fromMillis, 86_400_000L), Math.floorDiv(toMillis - 1, 86_400_000L));
        return all.getOrDefault(dimension, List.of());
    }

    /** A link's clicks split into humans and bots: the counter is the total, the hourly rollups tell the bots. */
    public Visits visits(Link l) {
        long bots = 0;
        long fromHour = Math.floorDiv(l.createdAt().toEpochMilli(), 3_600_000L);
        long toHour = Math.floorDiv(clock.millis(), 3_600_000L) + 1;
        for (StatsStore.Bucket b : stats.series(l.id(), StatsStore.Resolution.HOUR, fromHour, toHour)) bots += b.clicks() - b.human();
        long total = Math.max(l.clicks(), 0);
        bots = Math.min(bots, total);
        return new Visits(total, total - bots, bots);
    }

    /** Clicks, human clicks and bot clicks. */
    public record Visits(long total, long nonBots, long bots) {}

    /** The oldest instant raw clicks are kept for. */
    public Instant retentionStart() {
        return clock.instant().minus(rawRetention);
    }

    /**
     * The raw clicks of these links in [from, to) (null: from the retention start, up to now),
     * newest first, at most {@link #MAX_VISITS}, without bots when {@code excludeBots}.
     */
    public List<Click> clicks(List<Link> of, Instant from, Instant to, boolean excludeBots) {
        long[] w = window(from, to);
        List<Click> out = new ArrayList<>();
        if (w[0] >= w[1]) return out;
        for (Link l : of) {
            for (StoredClick c : stats.events(l.id(), w[0], w[1], null, null, MAX_VISITS)) {
                if (!excludeBots || !c.bot()) out.add(new Click(l, c));
            }
        }
        out.sort(Comparator.comparingLong((Click c) -> c.raw().epochMillis()).thenComparingLong(c -> c.raw().id()).reversed());
        return out.size() > MAX_VISITS ? List.copyOf(out.subList(0, MAX_VISITS)) : out;
    }

    /** [from, to) in epoch milliseconds, from no earlier than the retention start; null ends: the retention start, now. */
    private long[] window(Instant from, Instant to) {
        long start = Math.max(from == null ? 0 : from.toEpochMilli(), retentionStart().toEpochMilli());
        return new long[] {start, to == null ? clock.millis() + 1 : to.toEpochMilli()};
    }

    /** A raw click and its link. */
    public record Click(Link link, StoredClick raw) {}

    /** Every orphan visit counted (visits to slugs no link has): total, humans, bots. */
    public Visits orphanVisits() {
        if (orphans == null) return new Visits(0, 0, 0);
        var t = orphans.totals();
        return new Visits(t.visits(), t.visits() - t.bots(), t.bots());
    }

    /** The raw orphan visits kept, in [from, to) (null: from the retention start, up to now), newest first. */
    public List<dev.kurz.analytics.OrphanVisits.Stored> orphanClicks(Instant from, Instant to, boolean excludeBots) {
        if (orphans == null) return List.of();
        long[] w = window(from, to);
        if (w[0] >= w[1]) return List.of();
        return orphans.recent(w[0], w[1], MAX_VISITS).stream().filter(v -> !excludeBots || !v.bot()).toList();
    }

    /** A page of a list by page number (from 1) and size (below 1: everything on one page). */
    public record Page<T>(List<T> items, int page, int pages, int size, int total) {
        public static <T> Page<T> of(List<T> all, int page, int size) {
            int total = all.size();
            if (size < 1) return new Page<>(List.copyOf(all), 1, 1, total, total);
            int pages = (total + size - 1) / size;
            int p = Math.max(page, 1);
            int from = (int) Math.min((long) (p - 1) * size, total);
            return new Page<>(List.copyOf(all.subList(from, Math.min(from + size, total))), p, pages, size, total);
        }
    }

    /** The slug in a short URL, an id such as {@code domain/slug}, or a bare slug: the last path segment; null for none. */
    public static String slugOf(String ref) {
        if (ref == null || ref.isBlank()) return null;
        String s = ref.strip();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** The country's English name from its ISO code, or null. */
    public static String countryName(String code) {
        if (code == null || code.length() != 2) return null;
        String name = java.util.Locale.of("", code).getDisplayCountry(java.util.Locale.ENGLISH);
        return name.isEmpty() || name.equalsIgnoreCase(code) ? null : name;
    }
}

package dev.kurz.webhook;

import dev.kurz.analytics.EnrichedClick;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Clicks summed per link between two {@code link.clicked} events: clicks, humans, countries, referrers. */
final class ClickDigest {
    private static final int MAX_KEYS = 50;
    private Map<String, Tally> bySlug = new HashMap<>();

    static final class Tally {
        long clicks;
        long humans;
        final Map<String, Long> countries = new TreeMap<>();
        final Map<String, Long> referrers = new TreeMap<>();

        JsonObject toJson() {
            JsonObject c = new JsonObject();
            countries.forEach(c::put);
            JsonObject r = new JsonObject();
            referrers.forEach(r::put);
            return new JsonObject().put("clicks", clicks).put("humans", humans).put("countries", c).put("referrers", r);
        }
    }

    synchronized void add(List<EnrichedClick> slice) {
        for (EnrichedClick c : slice) {
            if (c.head()) continue;
            Tally t = bySlug.computeIfAbsent(c.slug(), k -> new Tally());
            t.clicks++;
            if (!c.bot()) t.humans++;
            count(t.countries, c.country() == null ? "unknown" : c.country());
            count(t.referrers, c.referrerHost() == null ? "direct" : c.referrerHost());
        }
    }

    /** Bounded: past 50 distinct values, the rest count as "other". */
    private static void count(Map<String, Long> m, String key) {
        String k = m.containsKey(key) || m.size() < MAX_KEYS ? key : "other";
        m.merge(k, 1L, Long::sum);
    }

    synchronized Map<String, Tally> drain() {
        Map<String, Tally> out = bySlug;
        bySlug = new HashMap<>();
        return out;
    }
}

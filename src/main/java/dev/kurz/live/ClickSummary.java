package dev.kurz.live;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The clicks of one link in one batch (about 100 ms): counts, and counts by each breakdown of the
 * stats (country, referrer host, browser, OS, device), with the stats' names for unknown values
 * ({@code unknown}, {@code direct}) — so a dashboard can add a frame to every figure it shows and
 * the breakdowns keep summing to the total. {@code targets}: what a smart link served ({@code rule:N},
 * {@code variant:N} or a URL), as the stats' targets breakdown names them; empty (and left out of
 * the frame) for a plain link.
 */
public record ClickSummary(String slug, long epochMillis, long clicks, long humanClicks, Map<String, Long> countries,
                           Map<String, Long> referrers, Map<String, Long> browsers, Map<String, Long> os,
                           Map<String, Long> devices, Map<String, Long> targets) {

    /** A summary without browser, OS and device counts (alert tests; frames of older nodes). */
    public ClickSummary(String slug, long epochMillis, long clicks, long humanClicks, Map<String, Long> countries,
                        Map<String, Long> referrers) {
        this(slug, epochMillis, clicks, humanClicks, countries, referrers, Map.of(), Map.of(), Map.of(), Map.of());
    }

    private static final String[] NAMES = {"countries", "referrers", "browsers", "os", "devices", "targets"};
    private static final int TARGETS = 5;

    private Map<String, Long> breakdown(int i) {
        return switch (i) {
            case 0 -> countries;
            case 1 -> referrers;
            case 2 -> browsers;
            case 3 -> os;
            case 4 -> devices;
            default -> targets;
        };
    }

    ClickSummary plus(ClickSummary o) {
        @SuppressWarnings("unchecked")
        Map<String, Long>[] m = new Map[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            Map<String, Long> sum = new HashMap<>(breakdown(i));
            o.breakdown(i).forEach((k, v) -> sum.merge(k, v, Long::sum));
            m[i] = sum;
        }
        return new ClickSummary(slug, Math.max(epochMillis, o.epochMillis), clicks + o.clicks, humanClicks + o.humanClicks,
                m[0], m[1], m[2], m[3], m[4], m[5]);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject().put("type", "clicks").put("slug", slug).put("t", java.time.Instant.ofEpochMilli(epochMillis).toString())
                .put("clicks", clicks).put("humanClicks", humanClicks);
        for (int i = 0; i < NAMES.length; i++) {
            if (i == TARGETS && targets.isEmpty()) continue;
            JsonObject values = new JsonObject();
            breakdown(i).forEach(values::put);
            o.put(NAMES[i], values);
        }
        return o;
    }

    static ClickSummary fromJson(JsonObject o) {
        @SuppressWarnings("unchecked")
        Map<String, Long>[] m = new Map[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            Map<String, Long> values = new HashMap<>();
            o.getJsonObject(NAMES[i], new JsonObject()).forEach(e -> values.put(e.getKey(), ((Number) e.getValue()).longValue()));
            m[i] = values;
        }
        return new ClickSummary(o.getString("slug"), java.time.Instant.parse(o.getString("t")).toEpochMilli(), o.getLong("clicks"),
                o.getLong("humanClicks"), m[0], m[1], m[2], m[3], m[4], m[5]);
    }
}

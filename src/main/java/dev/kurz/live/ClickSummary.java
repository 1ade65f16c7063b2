package dev.kurz.live;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** The clicks of one link in one batch (about 100 ms): counts, and counts by country and referrer host. */
public record ClickSummary(String slug, long epochMillis, long clicks, long humanClicks, Map<String, Long> countries,
                           Map<String, Long> referrers) {

    ClickSummary plus(ClickSummary o) {
        Map<String, Long> c = new HashMap<>(countries);
        o.countries.forEach((k, v) -> c.merge(k, v, Long::sum));
        Map<String, Long> r = new HashMap<>(referrers);
        o.referrers.forEach((k, v) -> r.merge(k, v, Long::sum));
        return new ClickSummary(slug, Math.max(epochMillis, o.epochMillis), clicks + o.clicks, humanClicks + o.humanClicks, c, r);
    }

    JsonObject toJson() {
        JsonObject countriesJson = new JsonObject();
        countries.forEach(countriesJson::put);
        JsonObject referrersJson = new JsonObject();
        referrers.forEach(referrersJson::put);
        return new JsonObject().put("type", "clicks").put("slug", slug).put("t", java.time.Instant.ofEpochMilli(epochMillis).toString())
                .put("clicks", clicks).put("humanClicks", humanClicks).put("countries", countriesJson).put("referrers", referrersJson);
    }

    static ClickSummary fromJson(JsonObject o) {
        Map<String, Long> c = new HashMap<>();
        o.getJsonObject("countries", new JsonObject()).forEach(e -> c.put(e.getKey(), ((Number) e.getValue()).longValue()));
        Map<String, Long> r = new HashMap<>();
        o.getJsonObject("referrers", new JsonObject()).forEach(e -> r.put(e.getKey(), ((Number) e.getValue()).longValue()));
        return new ClickSummary(o.getString("slug"), java.time.Instant.parse(o.getString("t")).toEpochMilli(), o.getLong("clicks"),
                o.getLong("humanClicks"), c, r);
    }
}

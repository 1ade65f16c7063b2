package dev.kurz.web;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.Stats;
import dev.kurz.analytics.StatsService;
import dev.kurz.analytics.StatsStore;
import dev.kurz.analytics.StatsStore.StoredClick;
import dev.kurz.analytics.StatsStore.ValueCount;
import dev.kurz.auth.Scope;
import dev.kurz.link.LinkService;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Click statistics and raw clicks: {@code /api/v1/stats}, {@code /api/v1/links/{slug}/stats|clicks}. */
final class StatsRoutes {
    static final int MAX_EVENTS = 10_000;
    static final int DEFAULT_EVENTS = 100;
    private static final Map<String, String> BREAKDOWN_NAMES = Map.of(
            "country", "countries", "referrer", "referrers", "browser", "browsers", "os", "os", "device", "devices", "target", "targets");

    private final LinkService links;
    private final StatsService stats;
    private final StatsStore store;
    private final Blocking blocking;

    StatsRoutes(LinkService links, StatsService stats, StatsStore store, Blocking blocking) {
        this.links = links;
        this.stats = stats;
        this.store = store;
        this.blocking = blocking;
    }

    void mount(Router r) {
        r.get("/api/v1/stats").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> {
            Callers.refuseOwnLinksOnly(ctx, "the statistics of all links (ask /api/v1/links/{slug}/stats)");
            StatsService.Query q = query(ctx);
            blocking.run(ctx, () -> stats.stats(ClickAggregate.ALL_LINKS, q), s -> ApiRoutes.json(ctx, 200, toJson(null, s)));
        }));
        r.get("/api/v1/links/:slug/stats").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> {
            StatsService.Query q = query(ctx);
            String slug = ctx.pathParam("slug"), domain = ctx.request().getParam("domain");
            Long visibleTo = Callers.linksVisibleTo(ctx);
            blocking.run(ctx, () -> stats.stats(links.get(links.key(domain, slug), visibleTo).id(), q), s -> ApiRoutes.json(ctx, 200, toJson(slug, s)));
        }));
        r.get("/api/v1/links/:slug/clicks").handler(ApiRoutes.scope(Scope.LINKS_READ, this::clicks));
    }

    private StatsService.Query query(RoutingContext ctx) {
        var p = ctx.request();
        return stats.query(p.getParam("from"), p.getParam("to"), p.getParam("interval"), p.getParam("tz"));
    }

    static JsonObject toJson(String slug, Stats s) {
        JsonObject o = new JsonObject();
        if (slug != null) o.put("link", slug);
        o.put("from", s.from().toString()).put("to", s.to().toString())
                .put("interval", s.interval().name().toLowerCase(Locale.ROOT)).put("tz", s.zone().getId());
        Stats.Totals t = s.totals();
        o.put("totals", new JsonObject().put("clicks", t.clicks()).put("humanClicks", t.humanClicks()).put("bots", t.bots())
                .put("uniqueVisitors", t.uniqueVisitors()).put("dropped", t.dropped()));
        JsonArray series = new JsonArray();
        for (Stats.Point p : s.series()) {
            series.add(new JsonObject().put("t", java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(p.t())).put("clicks", p.clicks()).put("humanClicks", p.humanClicks()));
        }
        o.put("series", series);
        for (String dim : ClickAggregate.DIMENSIONS) {
            JsonArray values = new JsonArray();
            for (ValueCount v : s.breakdowns().getOrDefault(dim, List.of())) {
                values.add(new JsonObject().put("value", v.value()).put("clicks", v.clicks()));
            }
            o.put(BREAKDOWN_NAMES.get(dim), values);
        }
        if (slug == null) {
            JsonArray top = new JsonArray();
            // A link is named by slug and, off the default domain, its domain: one slug may live on two domains.
            s.topLinks().forEach(l -> {
                JsonObject item = new JsonObject().put("slug", dev.kurz.link.LinkKeys.slug(l.slug()));
                String host = dev.kurz.link.LinkKeys.domain(l.slug());
                if (host != null) item.put("domain", host);
                top.add(item.put("clicks", l.clicks()));
            });
            o.put("topLinks", top);
        }
        return o;
    }

    // ---- raw clicks ----

    private void clicks(RoutingContext ctx) {
        var p = ctx.request();
        StatsService.Query q = stats.query(p.getParam("from"), p.getParam("to"), "day", null);
        long[] cursor = decodeCursor(p.getParam("cursor"));
        int limit = ApiRoutes.intParam(ctx, "limit", DEFAULT_EVENTS, 1, MAX_EVENTS);
        boolean csv = wantsCsv(p.getHeader(HttpHeaders.ACCEPT)) || "csv".equalsIgnoreCase(p.getParam("format"));
        String slug = ctx.pathParam("slug"), domain = p.getParam("domain");
        Long visibleTo = Callers.linksVisibleTo(ctx);
        blocking.run(ctx, () -> {
            long linkId = links.get(links.key(domain, slug), visibleTo).id();
            return store.events(linkId, q.from().toEpochMilli(), q.to().toEpochMilli(),
                    cursor == null ? null : cursor[0], cursor == null ? null : cursor[1], limit + 1);
        }, rows -> {
            boolean more = rows.size() > limit;
            List<StoredClick> page = more ? rows.subList(0, limit) : rows;
            String next = more ? encodeCursor(page.get(page.size() - 1)) : null;
            if (csv) {
                if (next != null) ctx.response().putHeader("Link", "<" + nextPage(ctx, next) + ">; rel=\"next\"");
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
                        .putHeader("Content-Disposition", "attachment; filename=\"" + slug + "-clicks.csv\"")
                        .end(toCsv(page));
                return;
            }
            JsonArray items = new JsonArray();
            for (StoredClick c : page) items.add(toJson(c));
            ApiRoutes.json(ctx, 200, new JsonObject().put("items", items).put("nextCursor", next));
        });
    }

    /** The same request with the next cursor, every other parameter kept. */
    private static String nextPage(RoutingContext ctx, String cursor) {
        StringBuilder sb = new StringBuilder(ctx.request().path()).append("?cursor=").append(cursor);
        ctx.queryParams().forEach((k, v) -> {
            if (!k.equals("cursor")) {
                sb.append('&').append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8))
                        .append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return sb.toString();
    }

    private static boolean wantsCsv(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
    }

    static JsonObject toJson(StoredClick c) {
        return new JsonObject()
                .put("t", Instant.ofEpochMilli(c.epochMillis()).toString())
                .put("visitor", String.format("%016x", c.visitor()))
                .put("bot", c.bot())
                .put("country", c.country())
                .put("browser", c.browser())
                .put("os", c.os())
                .put("device", c.device())
                .put("referrerHost", c.referrerHost())
                .put("ip", c.ip())
                .put("userAgent", c.userAgent())
                .put("target", c.target());
    }

    static String toCsv(List<StoredClick> rows) {
        StringBuilder sb = new StringBuilder("time,visitor,bot,country,browser,os,device,referrer_host,ip,user_agent,target\r\n");
        for (StoredClick c : rows) {
            sb.append(Instant.ofEpochMilli(c.epochMillis())).append(',')
                    .append(String.format("%016x", c.visitor())).append(',')
                    .append(c.bot()).append(',');
            for (String v : new String[] {c.country(), c.browser(), c.os(), c.device(), c.referrerHost(), c.ip(), c.userAgent(), c.target()}) {
                sb.append(csvField(v)).append(',');
            }
            sb.setLength(sb.length() - 1);
            sb.append("\r\n");
        }
        return sb.toString();
    }

    /** RFC 4180 quoting, and a leading apostrophe for values a spreadsheet would run as a formula. */
    static String csvField(String v) {
        if (v == null) return "";
        String s = !v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    static String encodeCursor(StoredClick last) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((last.epochMillis() + ":" + last.id()).getBytes(StandardCharsets.UTF_8));
    }

    static long[] decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) return null;
        try {
            String[] p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
            return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
        } catch (RuntimeException e) {
            throw ApiProblems.badRequest("cursor: not a cursor this API returned; pass nextCursor from the previous page unchanged");
        }
    }
}

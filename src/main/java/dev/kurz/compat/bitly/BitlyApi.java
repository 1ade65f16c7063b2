package dev.kurz.compat.bitly;

import dev.kurz.analytics.StatsStore;
import dev.kurz.auth.Scope;
import dev.kurz.compat.Shortener;
import dev.kurz.link.Link;
import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkPatch;
import dev.kurz.problem.ProblemException;
import dev.kurz.web.Edge;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Bitly's API v4 ({@code /v4/…}) over Kurz's links: a bitlink {@code <domain>/<hash>} is a Kurz
 * slug, whatever the domain (node-bitly rewrites ids to {@code bit.ly/<hash>}), and Kurz has one
 * synthetic user and group. Clicks come from the rollups (minute or hour), breakdowns from the
 * daily ones.
 */
public final class BitlyApi implements Edge.Module {
    static final String GROUP = "Bkurz";
    static final int DEFAULT_SIZE = 50;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ").withZone(ZoneOffset.UTC);
    private static final Set<String> METRICS = Set.of("clicks", "countries", "referrers", "referring_domains");
    /** How far back {@code units=-1} reaches per unit: the minute rollups are kept a short while, the others for years. */
    private static final Map<String, Integer> MAX_UNITS = Map.of("minute", 1440, "hour", 24 * 93, "day", 1098, "week", 157, "month", 36);

    private final Shortener links;
    private Edge edge;
    private String host;

    public BitlyApi(Shortener links) {
        this.links = links;
    }

    @Override
    public void mount(Router r, Edge edge) {
        this.edge = edge;
        this.host = java.net.URI.create(edge.base()).getAuthority();
        r.route("/v4/*").failureHandler(this::failure);
        r.route("/v4/*").handler(ctx -> edge.authenticate(ctx, key(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)),
                () -> ctx.fail(BitlyErrors.forbidden())));
        r.route("/v4/*").handler(edge::throttle);
        r.route("/v4/*").handler(edge.body()); // node-bitly sends a JSON body even with DELETE

        r.post("/v4/shorten").handler(write(ctx -> create(ctx, false)));
        r.post("/v4/bitlinks").handler(write(ctx -> create(ctx, true)));
        r.post("/v4/expand").handler(read(this::expand));
        r.get("/v4/user").handler(read(this::user));
        r.get("/v4/groups").handler(read(ctx -> ok(ctx, 200, new JsonObject().put("groups", new JsonArray().add(group())))));
        r.get("/v4/groups/:guid").handler(read(ctx -> {
            requireGroup(ctx);
            ok(ctx, 200, group());
        }));
        r.get("/v4/groups/:guid/bitlinks").handler(read(this::list));
        r.route("/v4/bitlinks/*").handler(this::bitlink);
        r.route("/v4/*").handler(ctx -> ctx.fail(BitlyErrors.notFound("Nothing is served at " + ctx.request().path())));
    }

    /** {@code Bearer <key>} as documented, or the bare key as node-bitly sends it. */
    static String key(String authorization) {
        if (authorization == null || authorization.isBlank()) return null;
        String a = authorization.strip();
        return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).strip() : a;
    }

    // ---- bitlinks ----

    private void create(RoutingContext ctx, boolean full) {
        JsonObject b = Edge.json(ctx);
        if (b.containsKey("bitlink_id") && !b.containsKey("long_url")) {
            throw new BitlyErrors.Error(422, "UNPROCESSABLE_ENTITY", "A Kurz link has one slug: create a new bitlink with the keyword instead");
        }
        String url = string(b, "long_url");
        if (url == null) throw BitlyErrors.invalid("long_url", "long_url is required");
        LinkDraft draft = full
                ? new LinkDraft(url, string(b, "keyword"), string(b, "title"), tags(b), time(b, "expiration_at"), null, null, null)
                : LinkDraft.ofUrl(url);
        var who = Edge.actor(ctx);
        Long by = Edge.keyId(ctx);
        edge.run(ctx, () -> links.create(draft, who, by), l -> ok(ctx, full ? 200 : 201, body(l)));
    }

    private void expand(RoutingContext ctx) {
        String id = string(Edge.json(ctx), "bitlink_id");
        if (id == null) throw BitlyErrors.invalid("bitlink_id", "bitlink_id is required");
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> links.get(slugOf(id), visibleTo), l -> ok(ctx, 200, new JsonObject().put("link", link(l)).put("id", id(l))
                .put("long_url", l.url()).put("created_at", TIME.format(l.createdAt()))));
    }

    /** {@code /v4/bitlinks/{domain}/{hash}[/metric]} or {@code /v4/bitlinks/{hash}[/metric]}. */
    private void bitlink(RoutingContext ctx) {
        List<String> parts = new ArrayList<>(List.of(ctx.request().path().substring("/v4/bitlinks/".length()).split("/")));
        parts.removeIf(String::isEmpty);
        String metric = null;
        if (parts.size() >= 3 && parts.get(parts.size() - 2).equals("clicks") && parts.get(parts.size() - 1).equals("summary")) {
            metric = "clicks/summary";
            parts = parts.subList(0, parts.size() - 2);
        } else if (parts.size() >= 2 && METRICS.contains(parts.get(parts.size() - 1)) && !(parts.size() == 2 && isDomain(parts.get(0)))) {
            metric = parts.get(parts.size() - 1);
            parts = parts.subList(0, parts.size() - 1);
        }
        if (parts.isEmpty() || parts.size() > 2) {
            ctx.fail(BitlyErrors.notFound("Nothing is served at " + ctx.request().path()));
            return;
        }
        String slug = parts.get(parts.size() - 1);
        HttpMethod m = ctx.request().method();
        Long visibleTo = Edge.visibleTo(ctx);
        if (metric != null) {
            if (m != HttpMethod.GET) throw new BitlyErrors.Error(405, "METHOD_NOT_ALLOWED", "Metrics are read with GET");
            Edge.require(ctx, Scope.LINKS_READ);
            String which = metric;
            Query q = query(ctx);
            edge.run(ctx, () -> metrics(links.get(slug, visibleTo), which, q), o -> ok(ctx, 200, o));
        } else if (m == HttpMethod.GET) {
            Edge.require(ctx, Scope.LINKS_READ);
            edge.run(ctx, () -> links.get(slug, visibleTo), l -> ok(ctx, 200, body(l)));
        } else if (m == HttpMethod.PATCH) {
            Edge.require(ctx, Scope.LINKS_WRITE);
            LinkPatch patch = patch(Edge.json(ctx));
            var who = Edge.actor(ctx);
            edge.run(ctx, () -> links.change(slug, patch, who, visibleTo), l -> ok(ctx, 200, body(l)));
        } else if (m == HttpMethod.DELETE) {
            Edge.require(ctx, Scope.LINKS_WRITE);
            var who = Edge.actor(ctx);
            edge.run(ctx, () -> links.remove(slug, who, visibleTo), l -> ok(ctx, 200, new JsonObject().put("links_deleted",
                    new JsonArray().add(new JsonObject().put("id", id(l)).put("link", link(l))))));
        } else {
            throw new BitlyErrors.Error(405, "METHOD_NOT_ALLOWED", "A bitlink is read with GET, changed with PATCH, deleted with DELETE");
        }
    }

    private static boolean isDomain(String segment) {
        return segment.indexOf('.') >= 0 || segment.indexOf(':') >= 0;
    }

    private static LinkPatch patch(JsonObject b) {
        Set<String> present = new HashSet<>();
        if (Boolean.TRUE.equals(b.getValue("archived"))) {
            throw BitlyErrors.invalid("archived", "Kurz does not archive links: delete the bitlink instead");
        }
        String url = null;
        String title = null;
        List<String> tags = null;
        Instant expires = null;
        if (b.containsKey("long_url")) {
            present.add("url");
            url = string(b, "long_url");
        }
        if (b.containsKey("title")) {
            present.add("title");
            title = string(b, "title");
        }
        if (b.containsKey("tags")) {
            present.add("tags");
            tags = tags(b);
        }
        if (b.containsKey("expiration_at")) {
            present.add("expiresAt");
            expires = time(b, "expiration_at");
        }
        return new LinkPatch(present, url, title, tags == null ? List.of() : tags, expires, null, null, null);
    }

    private void list(RoutingContext ctx) {
        requireGroup(ctx);
        int size = intParam(ctx, "size", DEFAULT_SIZE, 1, 1000);
        String after = ctx.request().getParam("search_after");
        String query = ctx.request().getParam("query");
        List<String> tags = ctx.queryParam("tags");
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> links.page(size, after == null || after.isBlank() ? null : after, tags.isEmpty() ? null : tags.get(0), query, visibleTo), page -> {
            JsonArray items = new JsonArray();
            for (Link l : page.items()) if (l.tags().containsAll(tags)) items.add(body(l));
            String next = page.nextCursor();
            ok(ctx, 200, new JsonObject().put("links", items).put("pagination", new JsonObject()
                    .put("search_after", next == null ? "" : next).put("next", next == null ? "" : nextUrl(ctx, next))
                    .put("prev", "").put("size", size)));
        });
    }

    private String nextUrl(RoutingContext ctx, String cursor) {
        StringBuilder sb = new StringBuilder(edge.base()).append(ctx.request().path()).append("?search_after=").append(cursor);
        ctx.queryParams().forEach((k, v) -> {
            if (!k.equals("search_after")) {
                sb.append('&').append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return sb.toString();
    }

    private void user(RoutingContext ctx) {
        String name = Edge.actor(ctx).keyName();
        ok(ctx, 200, new JsonObject().put("login", name).put("name", name).put("is_active", true)
                .put("is_sso_user", false).put("is_2fa_enabled", false).put("emails", new JsonArray())
                .put("default_group_guid", GROUP));
    }

    private JsonObject group() {
        return new JsonObject().put("guid", GROUP).put("name", host).put("organization_guid", "Okurz").put("bsds", new JsonArray())
                .put("is_active", true).put("role", "org-admin").put("references", new JsonObject());
    }

    private static void requireGroup(RoutingContext ctx) {
        if (!GROUP.equals(ctx.pathParam("guid"))) throw BitlyErrors.notFound("No group has the guid " + ctx.pathParam("guid") + "; Kurz has one: " + GROUP);
    }

    private JsonObject body(Link l) {
        JsonObject o = new JsonObject()
                .put("references", new JsonObject().put("group", edge.base() + "/v4/groups/" + GROUP))
                .put("link", link(l)).put("id", id(l)).put("long_url", l.url()).put("title", l.title() == null ? "" : l.title())
                .put("archived", false).put("created_at", TIME.format(l.createdAt()))
                .put("custom_bitlinks", new JsonArray()).put("tags", new JsonArray(new ArrayList<Object>(l.tags())))
                .put("deeplinks", new JsonArray());
        if (l.expiresAt() != null) o.put("expiration_at", TIME.format(l.expiresAt()));
        return o;
    }

    private String link(Link l) {
        return edge.base() + "/" + l.slug();
    }

    private String id(Link l) {
        return host + "/" + l.slug();
    }

    /** The slug of a bitlink id, {@code domain/hash}, a short URL or a bare hash. */
    static String slugOf(String id) {
        return Shortener.slugOf(id);
    }

    // ---- metrics ----

    /** A metrics question: the unit, how many units back (-1: all, capped), and the end it counts back from. */
    record Query(String unit, int units, ZonedDateTime reference, int size) {}

    private static Query query(RoutingContext ctx) {
        String unit = ctx.request().getParam("unit");
        unit = unit == null || unit.isBlank() ? "day" : unit.strip().toLowerCase(Locale.ROOT);
        if (!MAX_UNITS.containsKey(unit)) throw BitlyErrors.invalid("unit", "unit must be minute, hour, day, week or month");
        int units = intParam(ctx, "units", -1, -1, 100_000);
        if (units == 0) throw BitlyErrors.invalid("units", "units must be -1 (all) or a positive number");
        String ref = ctx.request().getParam("unit_reference");
        ZonedDateTime reference = null;
        if (ref != null && !ref.isBlank()) {
            Instant t = parseTime(ref);
            if (t == null) throw BitlyErrors.invalid("unit_reference", "unit_reference must be an ISO-8601 time such as 2026-12-01T15:04:05+0000");
            reference = t.atZone(ZoneOffset.UTC);
        }
        return new Query(unit, units, reference, intParam(ctx, "size", 50, 1, 1000));
    }

    private JsonObject metrics(Link l, String metric, Query q) {
        ZonedDateTime ref = q.reference() != null ? q.reference() : links.now().atZone(ZoneOffset.UTC);
        ZonedDateTime newest = start(ref, q.unit());
        int max = MAX_UNITS.get(q.unit());
        int units = q.units() > 0 ? Math.min(q.units(), max) : Math.min(max, unitsSince(l.createdAt().atZone(ZoneOffset.UTC), newest, q.unit()));
        ZonedDateTime oldest = minus(newest, q.unit(), units - 1);
        long from = oldest.toInstant().toEpochMilli();
        long to = plus(newest, q.unit(), 1).toInstant().toEpochMilli();
        JsonObject o = new JsonObject();
        switch (metric) {
            case "clicks", "clicks/summary" -> {
                boolean minutes = q.unit().equals("minute");
                TreeMap<Long, long[]> buckets = new TreeMap<>();
                for (ZonedDateTime t = oldest; !t.isAfter(newest); t = plus(t, q.unit(), 1)) buckets.put(t.toInstant().toEpochMilli(), new long[1]);
                long total = 0;
                for (StatsStore.Bucket b : links.series(l, minutes, from, to)) {
                    var e = buckets.floorEntry(b.unit() * (minutes ? 60_000L : 3_600_000L));
                    if (e == null) continue;
                    e.getValue()[0] += b.clicks();
                    total += b.clicks();
                }
                if (metric.equals("clicks")) {
                    JsonArray points = new JsonArray();
                    for (var e : buckets.descendingMap().entrySet()) {
                        points.add(new JsonObject().put("clicks", e.getValue()[0]).put("date", TIME.format(Instant.ofEpochMilli(e.getKey()))));
                    }
                    o.put("link_clicks", points);
                } else {
                    o.put("total_clicks", total);
                }
            }
            default -> {
                String dim = metric.equals("countries") ? "country" : "referrer";
                JsonArray values = new JsonArray();
                for (StatsStore.ValueCount v : links.breakdown(l, dim, from, to)) {
                    if (values.size() == q.size()) break;
                    String value = v.value() == null || v.value().isEmpty() ? (dim.equals("referrer") ? "direct" : "unknown") : v.value();
                    values.add(new JsonObject().put("value", value).put("clicks", v.clicks()));
                }
                o.put("metrics", values).put("facet", metric);
            }
        }
        return o.put("units", q.units()).put("unit", q.unit()).put("unit_reference", TIME.format(ref.toInstant()));
    }

    private static ZonedDateTime start(ZonedDateTime t, String unit) {
        return switch (unit) {
            case "minute" -> t.truncatedTo(ChronoUnit.MINUTES);
            case "hour" -> t.truncatedTo(ChronoUnit.HOURS);
            case "day" -> t.truncatedTo(ChronoUnit.DAYS);
            case "week" -> t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            default -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
    }

    private static ZonedDateTime plus(ZonedDateTime t, String unit, long n) {
        return switch (unit) {
            case "minute" -> t.plusMinutes(n);
            case "hour" -> t.plusHours(n);
            case "day" -> t.plusDays(n);
            case "week" -> t.plusWeeks(n);
            default -> t.plusMonths(n);
        };
    }

    private static ZonedDateTime minus(ZonedDateTime t, String unit, long n) {
        return plus(t, unit, -n);
    }

    private static int unitsSince(ZonedDateTime created, ZonedDateTime newest, String unit) {
        ZonedDateTime first = start(created, unit);
        long n = switch (unit) {
            case "minute" -> ChronoUnit.MINUTES.between(first, newest);
            case "hour" -> ChronoUnit.HOURS.between(first, newest);
            case "day" -> ChronoUnit.DAYS.between(first, newest);
            case "week" -> ChronoUnit.WEEKS.between(first, newest);
            default -> ChronoUnit.MONTHS.between(first, newest);
        };
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, n + 1));
    }

    // ---- helpers ----

    private static String string(JsonObject b, String field) {
        Object v = b.getValue(field);
        if (v == null) return null;
        if (v instanceof String s) return s.isEmpty() ? null : s;
        throw BitlyErrors.invalid(field, field + " must be a string");
    }

    private static List<String> tags(JsonObject b) {
        Object v = b.getValue("tags");
        if (v == null) return null;
        if (!(v instanceof JsonArray a)) throw BitlyErrors.invalid("tags", "tags must be an array of strings");
        List<String> out = new ArrayList<>();
        for (Object t : a) {
            if (!(t instanceof String s)) throw BitlyErrors.invalid("tags", "tags must be an array of strings");
            if (!out.contains(s)) out.add(s);
        }
        return out;
    }

    private static Instant time(JsonObject b, String field) {
        String s = string(b, field);
        if (s == null) return null;
        Instant t = parseTime(s);
        if (t == null) throw BitlyErrors.invalid(field, field + " must be an ISO-8601 time such as 2026-12-01T15:04:05+0000");
        return t;
    }

    static Instant parseTime(String s) {
        for (DateTimeFormatter f : List.of(DateTimeFormatter.ISO_OFFSET_DATE_TIME, DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ"))) {
            try {
                return OffsetDateTime.parse(s.strip(), f).toInstant();
            } catch (RuntimeException ignored) {
                // the next format
            }
        }
        return null;
    }

    private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
        String raw = ctx.request().getParam(name);
        if (raw == null || raw.isBlank()) return fallback;
        try {
            int v = Integer.parseInt(raw.strip());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw BitlyErrors.invalid(name, name + " must be a whole number from " + min + " to " + max);
    }

    private static io.vertx.core.Handler<RoutingContext> read(io.vertx.core.Handler<RoutingContext> h) {
        return Edge.scoped(Scope.LINKS_READ, h);
    }

    private static io.vertx.core.Handler<RoutingContext> write(io.vertx.core.Handler<RoutingContext> h) {
        return Edge.scoped(Scope.LINKS_WRITE, h);
    }

    private static void ok(RoutingContext ctx, int status, JsonObject body) {
        Edge.json(ctx, status, body);
    }

    private void failure(RoutingContext ctx) {
        Throwable err = Edge.failure(ctx);
        BitlyErrors.Error e;
        if (err instanceof BitlyErrors.Error be) {
            e = be;
        } else {
            ProblemException p = Edge.problemOf(ctx);
            if (p == null) return;
            e = BitlyErrors.of(p);
        }
        Edge.send(ctx, e.status, "application/json", e.body.encode());
    }
}

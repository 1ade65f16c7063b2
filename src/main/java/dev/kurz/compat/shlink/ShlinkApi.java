package dev.kurz.compat.shlink;

import dev.kurz.auth.Scope;
import dev.kurz.compat.Shortener;
import dev.kurz.compat.Shortener.Page;
import dev.kurz.compat.Shortener.Visits;
import dev.kurz.link.Link;
import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkPatch;
import dev.kurz.problem.ProblemException;
import dev.kurz.web.Edge;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shlink's REST API v3 ({@code /rest/v3/…}, {@code /rest/health}) over Kurz's links: a Shlink
 * short code is a Kurz slug, {@code validUntil} its expiry, {@code maxVisits} its click limit.
 * What Kurz has no equivalent for is answered as a Shlink with that feature off would answer
 * (one default domain, no redirect rules, no Mercure, never crawlable).
 */
public final class ShlinkApi implements Edge.Module {
    /** The Shlink version health reports; the web client switches features on from it (COMPAT-APIS.md). */
    static final String VERSION = "4.0.0";
    static final int DEFAULT_SHORT_URLS_PAGE = 10;
    private static final DateTimeFormatter ATOM = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);
    private static final Pattern CODE_IN_PATH = Pattern.compile("^/rest/v3/short-urls/([^/]+)");

    private final Shortener links;
    private String host;
    private Edge edge;

    public ShlinkApi(Shortener links) {
        this.links = links;
    }

    @Override
    public void mount(Router r, Edge edge) {
        this.edge = edge;
        this.host = java.net.URI.create(edge.base()).getAuthority();
        r.route("/rest/*").handler(edge.cors());
        r.route("/rest/*").failureHandler(this::failure);
        r.get("/rest/health").handler(this::health);
        r.get("/rest/v3/health").handler(this::health);
        r.route("/rest/v3/*").handler(ctx -> {
            String key = ctx.request().getHeader("X-Api-Key");
            edge.authenticate(ctx, key, () -> ctx.fail(key == null ? ShlinkErrors.missingAuthentication() : ShlinkErrors.invalidApiKey()));
        });
        r.route("/rest/v3/*").handler(edge::throttle);
        r.route("/rest/v3/*").handler(edge.body()); // the SDK sends Content-Type: application/json even on GET and DELETE

        r.post("/rest/v3/short-urls").handler(write(this::create));
        r.get("/rest/v3/short-urls").handler(read(this::list));
        r.get("/rest/v3/short-urls/:shortCode").handler(read(ctx -> {
            Long visibleTo = Edge.visibleTo(ctx);
            String code = ctx.pathParam("shortCode");
            edge.run(ctx, () -> shortUrl(links.get(code, visibleTo)), o -> ok(ctx, 200, o));
        }));
        r.patch("/rest/v3/short-urls/:shortCode").handler(write(this::edit));
        r.delete("/rest/v3/short-urls/:shortCode").handler(write(ctx -> {
            var who = Edge.actor(ctx);
            Long visibleTo = Edge.visibleTo(ctx);
            String code = ctx.pathParam("shortCode");
            edge.run(ctx, () -> links.remove(code, who, visibleTo), l -> ctx.response().setStatusCode(204).end());
        }));
        r.get("/rest/v3/short-urls/:shortCode/visits").handler(read(ctx -> {
            Long visibleTo = Edge.visibleTo(ctx);
            String code = ctx.pathParam("shortCode");
            visits(ctx, () -> List.of(links.get(code, visibleTo)));
        }));
        r.get("/rest/v3/short-urls/:shortCode/redirect-rules").handler(read(ctx -> {
            Long visibleTo = Edge.visibleTo(ctx);
            String code = ctx.pathParam("shortCode");
            edge.run(ctx, () -> links.get(code, visibleTo), l -> ok(ctx, 200, new JsonObject().put("defaultLongUrl", l.url())
                    .put("redirectRules", new JsonArray())));
        }));
        r.post("/rest/v3/short-urls/:shortCode/redirect-rules").handler(write(ctx -> {
            Object rules = Edge.json(ctx).getValue("redirectRules");
            if (rules instanceof JsonArray a && !a.isEmpty()) {
                throw ShlinkErrors.invalidData("Kurz has no redirect rules: a link has one destination", "redirectRules");
            }
            Long visibleTo = Edge.visibleTo(ctx);
            String code = ctx.pathParam("shortCode");
            edge.run(ctx, () -> links.get(code, visibleTo), l -> ok(ctx, 200, new JsonObject().put("defaultLongUrl", l.url())
                    .put("redirectRules", new JsonArray())));
        }));
        r.get("/rest/v3/tags").handler(read(ctx -> tags(ctx, false)));
        r.get("/rest/v3/tags/stats").handler(read(ctx -> tags(ctx, true)));
        r.put("/rest/v3/tags").handler(write(this::renameTag));
        r.delete("/rest/v3/tags").handler(write(this::deleteTags));
        r.get("/rest/v3/tags/:tag/visits").handler(read(ctx -> {
            Long visibleTo = Edge.visibleTo(ctx);
            String tag = ctx.pathParam("tag");
            visits(ctx, () -> links.all(visibleTo, tag, null).stream().filter(l -> l.tags().contains(tag)).toList());
        }));
        r.get("/rest/v3/visits").handler(read(this::visitsOverview));
        r.get("/rest/v3/visits/non-orphan").handler(read(ctx -> {
            Long visibleTo = Edge.visibleTo(ctx);
            visits(ctx, () -> links.all(visibleTo, null, null));
        }));
        r.get("/rest/v3/visits/orphan").handler(read(this::orphanVisits));
        r.get("/rest/v3/domains").handler(read(ctx -> {
            JsonObject redirects = new JsonObject().putNull("baseUrlRedirect").putNull("regular404Redirect").putNull("invalidShortUrlRedirect");
            ok(ctx, 200, new JsonObject().put("domains", new JsonObject()
                    .put("data", new JsonArray().add(new JsonObject().put("domain", host).put("isDefault", true).put("redirects", redirects)))
                    .put("defaultRedirects", redirects.copy())));
        }));
        r.get("/rest/v3/mercure-info").handler(read(ctx -> {
            throw ShlinkErrors.mercureNotConfigured();
        }));
        r.route("/rest/*").handler(ctx -> ctx.fail(ShlinkErrors.notFound(ctx.request().path())));
    }

    // ---- health ----

    private void health(RoutingContext ctx) {
        ok(ctx, 200, new JsonObject().put("status", "pass").put("version", VERSION)
                .put("links", new JsonObject().put("about", "https://shlink.io").put("project", "https://github.com/shlinkio/shlink")));
    }

    // ---- short URLs ----

    private void create(RoutingContext ctx) {
        Fields f = new Fields(Edge.json(ctx));
        String longUrl = f.string("longUrl");
        if (longUrl == null) f.invalid("longUrl");
        String slug = f.string("customSlug");
        List<String> tags = f.tags("tags");
        String title = f.string("title");
        f.validSince(links.now());
        Instant until = f.date("validUntil");
        Long maxVisits = f.count("maxVisits");
        Boolean forwardQuery = f.bool("forwardQuery");
        f.bool("crawlable"); // Kurz never lets robots index short links
        boolean findIfExists = Boolean.TRUE.equals(f.bool("findIfExists"));
        f.throwIfInvalid();
        var who = Edge.actor(ctx);
        Long by = Edge.keyId(ctx);
        Long visibleTo = Edge.visibleTo(ctx);
        LinkDraft draft = new LinkDraft(longUrl, slug, title, tags, until, maxVisits, null, forwardQuery);
        edge.run(ctx, () -> {
            if (findIfExists) {
                for (Link l : links.all(visibleTo, null, null)) {
                    if (l.url().equals(longUrl) && (slug == null || slug.equals(l.slug())) && (tags == null || Set.copyOf(tags).equals(Set.copyOf(l.tags())))) {
                        return shortUrl(l);
                    }
                }
            }
            return shortUrl(links.create(draft, who, by));
        }, o -> ok(ctx, 200, o));
    }

    private void edit(RoutingContext ctx) {
        Fields f = new Fields(Edge.json(ctx));
        Set<String> present = new HashSet<>();
        String url = f.has("longUrl", present, "url") ? f.string("longUrl") : null;
        if (present.contains("url") && url == null) f.invalid("longUrl");
        List<String> tags = f.has("tags", present, "tags") ? f.tags("tags") : null;
        String title = f.has("title", present, "title") ? f.string("title") : null;
        Instant until = f.has("validUntil", present, "expiresAt") ? f.date("validUntil") : null;
        Long max = f.has("maxVisits", present, "maxClicks") ? f.count("maxVisits") : null;
        Boolean forward = f.has("forwardQuery", present, "forwardQuery") ? f.bool("forwardQuery") : null;
        if (present.contains("forwardQuery") && forward == null) present.remove("forwardQuery");
        if (present.contains("tags") && tags == null) tags = List.of();
        f.validSince(links.now());
        f.bool("crawlable");
        f.throwIfInvalid();
        LinkPatch patch = new LinkPatch(present, url, title, tags, until, max, null, forward);
        var who = Edge.actor(ctx);
        Long visibleTo = Edge.visibleTo(ctx);
        String code = ctx.pathParam("shortCode");
        edge.run(ctx, () -> shortUrl(links.change(code, patch, who, visibleTo)), o -> ok(ctx, 200, o));
    }

    private void list(RoutingContext ctx) {
        int page = intParam(ctx, "page", 1);
        int size = intParam(ctx, "itemsPerPage", DEFAULT_SHORT_URLS_PAGE);
        String search = ctx.request().getParam("searchTerm");
        List<String> tags = ctx.queryParam("tags[]");
        boolean allTags = "all".equalsIgnoreCase(ctx.request().getParam("tagsMode"));
        List<String> excluded = ctx.queryParam("excludeTags[]");
        boolean excludeAll = "all".equalsIgnoreCase(ctx.request().getParam("excludeTagsMode"));
        String orderBy = ctx.request().getParam("orderBy");
        Instant start = dateParam(ctx, "startDate");
        Instant end = dateParam(ctx, "endDate");
        boolean noMaxReached = "true".equals(ctx.request().getParam("excludeMaxVisitsReached"));
        boolean noPast = "true".equals(ctx.request().getParam("excludePastValidUntil"));
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> {
            Instant now = links.now();
            List<Link> all = new ArrayList<>();
            for (Link l : links.all(visibleTo, null, search)) {
                if (!tags.isEmpty() && !(allTags ? l.tags().containsAll(tags) : tags.stream().anyMatch(l.tags()::contains))) continue;
                if (!excluded.isEmpty() && (excludeAll ? l.tags().containsAll(excluded) : excluded.stream().anyMatch(l.tags()::contains))) continue;
                if (start != null && l.createdAt().isBefore(start) || end != null && l.createdAt().isAfter(end)) continue;
                if (noMaxReached && l.maxClicks() != null && l.clicks() >= l.maxClicks()) continue;
                if (noPast && l.expiresAt() != null && !l.expiresAt().isAfter(now)) continue;
                all.add(l);
            }
            java.util.Map<Long, Visits> counted = new java.util.HashMap<>();
            Function<Link, Visits> visits = l -> counted.computeIfAbsent(l.id(), id -> links.visits(l));
            Comparator<Link> order = order(orderBy, visits);
            if (order != null) all.sort(order);
            Page<Link> p = Page.of(all, page, size);
            JsonArray data = new JsonArray();
            for (Link l : p.items()) data.add(shortUrl(l, visits.apply(l)));
            return new JsonObject().put("shortUrls", page(data, p));
        }, o -> ok(ctx, 200, o));
    }

    /** Shlink's {@code field-ASC|DESC}; null keeps Kurz's order (newest first). */
    private static Comparator<Link> order(String orderBy, Function<Link, Visits> visits) {
        if (orderBy == null || orderBy.isBlank()) return null;
        int dash = orderBy.lastIndexOf('-');
        String field = dash < 0 ? orderBy : orderBy.substring(0, dash);
        boolean desc = dash >= 0 && orderBy.substring(dash + 1).equalsIgnoreCase("DESC");
        Comparator<Link> c = switch (field) {
            case "dateCreated" -> Comparator.comparing(Link::createdAt).thenComparingLong(Link::id);
            case "shortCode" -> Comparator.comparing(Link::slug);
            case "longUrl" -> Comparator.comparing(Link::url);
            case "title" -> Comparator.comparing((Link l) -> l.title() == null ? "" : l.title());
            case "visits" -> Comparator.comparingLong(Link::clicks);
            case "nonBotVisits" -> Comparator.comparingLong((Link l) -> visits.apply(l).nonBots());
            default -> throw ShlinkErrors.invalidData("orderBy: unknown field " + field, "orderBy");
        };
        return desc ? c.reversed() : c;
    }

    private JsonObject shortUrl(Link l) {
        return shortUrl(l, links.visits(l));
    }

    private JsonObject shortUrl(Link l, Visits v) {
        return new JsonObject()
                .put("shortCode", l.slug())
                .put("shortUrl", edge.base() + "/" + l.slug())
                .put("longUrl", l.url())
                .put("dateCreated", date(l.createdAt()))
                .put("visitsSummary", summary(v))
                .put("visitsCount", v.total())
                .put("tags", new JsonArray(new ArrayList<Object>(l.tags())))
                .put("meta", new JsonObject().putNull("validSince").put("validUntil", l.expiresAt() == null ? null : date(l.expiresAt()))
                        .put("maxVisits", l.maxClicks()))
                .putNull("domain")
                .put("title", l.title())
                .put("crawlable", false)
                .put("forwardQuery", l.forwardQuery())
                .put("hasRedirectRules", false);
    }

    private static JsonObject summary(Visits v) {
        return new JsonObject().put("total", v.total()).put("nonBots", v.nonBots()).put("bots", v.bots());
    }

    // ---- tags ----

    private void tags(RoutingContext ctx, boolean withStats) {
        int page = intParam(ctx, "page", 1);
        int size = intParam(ctx, "itemsPerPage", -1);
        String search = ctx.request().getParam("searchTerm");
        String orderBy = ctx.request().getParam("orderBy");
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> {
            TreeMap<String, long[]> byTag = new TreeMap<>(); // short URLs, visits
            for (Link l : links.all(visibleTo, null, null)) {
                for (String t : l.tags()) {
                    if (search != null && !t.toLowerCase(Locale.ROOT).contains(search.toLowerCase(Locale.ROOT))) continue;
                    long[] c = byTag.computeIfAbsent(t, k -> new long[2]);
                    c[0]++;
                    c[1] += l.clicks();
                }
            }
            List<String> names = new ArrayList<>(byTag.keySet());
            String field = orderBy == null ? "tag" : orderBy.replaceAll("-(ASC|DESC|asc|desc)$", "");
            Comparator<String> c = switch (field) {
                case "shortUrlsCount" -> Comparator.comparingLong(t -> byTag.get(t)[0]);
                case "visits", "nonBotVisits" -> Comparator.comparingLong(t -> byTag.get(t)[1]);
                default -> Comparator.naturalOrder();
            };
            names.sort(orderBy != null && orderBy.toUpperCase(Locale.ROOT).endsWith("-DESC") ? c.reversed() : c);
            Page<String> p = Page.of(names, page, size);
            JsonArray data = new JsonArray();
            for (String t : p.items()) {
                if (!withStats) {
                    data.add(t);
                    continue;
                }
                long[] n = byTag.get(t);
                // Per tag, bots are not told apart: the link counters are the totals (see README).
                data.add(new JsonObject().put("tag", t).put("shortUrlsCount", n[0]).put("visitsCount", n[1])
                        .put("visitsSummary", summary(new Visits(n[1], n[1], 0))));
            }
            return new JsonObject().put("tags", page(data, p));
        }, o -> ok(ctx, 200, o));
    }

    private void renameTag(RoutingContext ctx) {
        Fields f = new Fields(Edge.json(ctx));
        String oldName = f.string("oldName");
        String newName = f.string("newName");
        if (oldName == null) f.invalid("oldName");
        if (newName == null) f.invalid("newName");
        f.throwIfInvalid();
        var who = Edge.actor(ctx);
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> {
            List<Link> all = links.all(visibleTo, null, null);
            List<Link> tagged = all.stream().filter(l -> l.tags().contains(oldName)).toList();
            if (tagged.isEmpty()) throw ShlinkErrors.tagNotFound(oldName);
            if (!oldName.equals(newName) && all.stream().anyMatch(l -> l.tags().contains(newName))) {
                throw ShlinkErrors.tagConflict(oldName, newName);
            }
            for (Link l : tagged) {
                List<String> next = new ArrayList<>();
                for (String t : l.tags()) next.add(t.equals(oldName) ? newName : t);
                retag(l, next, who, visibleTo);
            }
            return true;
        }, x -> ctx.response().setStatusCode(204).end());
    }

    private void deleteTags(RoutingContext ctx) {
        Set<String> gone = new HashSet<>(ctx.queryParam("tags[]"));
        var who = Edge.actor(ctx);
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> {
            if (gone.isEmpty()) return true;
            for (Link l : links.all(visibleTo, null, null)) {
                if (l.tags().stream().noneMatch(gone::contains)) continue;
                retag(l, l.tags().stream().filter(t -> !gone.contains(t)).toList(), who, visibleTo);
            }
            return true;
        }, x -> ctx.response().setStatusCode(204).end());
    }

    private void retag(Link l, List<String> tags, dev.kurz.audit.Actor who, Long visibleTo) {
        List<String> unique = new ArrayList<>(new java.util.LinkedHashSet<>(tags));
        links.change(l.slug(), new LinkPatch(Set.of("tags"), null, null, unique, null, null, null, null), who, visibleTo);
    }

    // ---- visits ----

    /** The parameters every Shlink visit list takes. */
    private record VisitQuery(int page, int size, Instant start, Instant end, boolean excludeBots) {
        static VisitQuery of(RoutingContext ctx) {
            return new VisitQuery(intParam(ctx, "page", 1), intParam(ctx, "itemsPerPage", -1), dateParam(ctx, "startDate"),
                    dateParam(ctx, "endDate"), "true".equals(ctx.request().getParam("excludeBots")));
        }
    }

    private void visits(RoutingContext ctx, java.util.concurrent.Callable<List<Link>> of) {
        VisitQuery q = VisitQuery.of(ctx);
        edge.run(ctx, () -> {
            Page<Shortener.Click> p = Page.of(links.clicks(of.call(), q.start(), q.end(), q.excludeBots()), q.page(), q.size());
            JsonArray data = new JsonArray();
            for (Shortener.Click c : p.items()) data.add(visit(c));
            return new JsonObject().put("visits", page(data, p));
        }, o -> ok(ctx, 200, o));
    }

    private JsonObject visit(Shortener.Click c) {
        var raw = c.raw();
        String country = raw.country() == null || raw.country().isEmpty() ? null : raw.country();
        JsonObject location = country == null ? null : new JsonObject().put("countryCode", country)
                .put("countryName", Shortener.countryName(country)).put("regionName", "").put("cityName", "")
                .put("latitude", 0.0).put("longitude", 0.0).put("timezone", "").put("isEmpty", false);
        return new JsonObject()
                .put("referer", raw.referrerHost() == null ? "" : raw.referrerHost())
                .put("date", date(Instant.ofEpochMilli(raw.epochMillis())))
                .put("userAgent", raw.userAgent() == null ? "" : raw.userAgent())
                .put("visitLocation", location)
                .put("potentialBot", raw.bot())
                .put("visitedUrl", edge.base() + "/" + c.link().slug())
                .put("redirectUrl", c.link().destinationOf(raw.target()))
                .put("shortCode", c.link().slug())
                .putNull("domain");
    }

    /** Visits to slugs no link has, all of type {@code invalid_short_url} (Kurz records only those). */
    private void orphanVisits(RoutingContext ctx) {
        VisitQuery q = VisitQuery.of(ctx);
        String type = ctx.request().getParam("type");
        boolean own = Edge.visibleTo(ctx) != null;
        edge.run(ctx, () -> {
            var all = own || type != null && !type.equals("invalid_short_url") ? List.<dev.kurz.analytics.OrphanVisits.Stored>of()
                    : links.orphanClicks(q.start(), q.end(), q.excludeBots());
            Page<dev.kurz.analytics.OrphanVisits.Stored> p = Page.of(all, q.page(), q.size());
            JsonArray data = new JsonArray();
            for (var v : p.items()) {
                data.add(new JsonObject().put("referer", v.referrerHost() == null ? "" : v.referrerHost())
                        .put("date", date(Instant.ofEpochMilli(v.epochMillis()))).put("userAgent", v.userAgent() == null ? "" : v.userAgent())
                        .putNull("visitLocation").put("potentialBot", v.bot()).put("visitedUrl", edge.base() + v.path())
                        .putNull("redirectUrl").put("type", "invalid_short_url"));
            }
            return new JsonObject().put("visits", page(data, p));
        }, o -> ok(ctx, 200, o));
    }

    private void visitsOverview(RoutingContext ctx) {
        Long visibleTo = Edge.visibleTo(ctx);
        edge.run(ctx, () -> {
            long total = 0;
            long bots = 0;
            for (Link l : links.all(visibleTo, null, null)) {
                Visits v = links.visits(l);
                total += v.total();
                bots += v.bots();
            }
            // A key limited to its own links sees no orphan visits: they belong to no one's links.
            Visits orphans = visibleTo == null ? links.orphanVisits() : new Visits(0, 0, 0);
            return new JsonObject().put("visits", new JsonObject()
                    .put("nonOrphanVisits", summary(new Visits(total, total - bots, bots))).put("orphanVisits", summary(orphans))
                    .put("visitsCount", total).put("orphanVisitsCount", orphans.total()));
        }, o -> ok(ctx, 200, o));
    }

    // ---- helpers ----

    private static JsonObject page(JsonArray data, Page<?> p) {
        return new JsonObject().put("data", data).put("pagination", new JsonObject()
                .put("currentPage", p.page()).put("pagesCount", p.pages()).put("itemsPerPage", p.size())
                .put("itemsInCurrentPage", p.items().size()).put("totalItems", p.total()));
    }

    private static String date(Instant t) {
        return ATOM.format(t);
    }

    private static io.vertx.core.Handler<RoutingContext> read(io.vertx.core.Handler<RoutingContext> h) {
        return Edge.scoped(Scope.LINKS_READ, h);
    }

    private static io.vertx.core.Handler<RoutingContext> write(io.vertx.core.Handler<RoutingContext> h) {
        return Edge.scoped(Scope.LINKS_WRITE, h);
    }

    private static int intParam(RoutingContext ctx, String name, int fallback) {
        String raw = ctx.request().getParam(name);
        if (raw == null || raw.isBlank()) return fallback;
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw ShlinkErrors.invalidData(name + ": must be a whole number", name);
        }
    }

    private static Instant dateParam(RoutingContext ctx, String name) {
        String raw = ctx.request().getParam(name);
        if (raw == null || raw.isBlank()) return null;
        Instant t = Fields.parseDate(raw);
        if (t == null) throw ShlinkErrors.invalidData(name + ": must be an ISO 8601 date", name);
        return t;
    }

    private static void ok(RoutingContext ctx, int status, JsonObject body) {
        Edge.json(ctx, status, body);
    }

    private void failure(RoutingContext ctx) {
        Throwable err = Edge.failure(ctx);
        ShlinkErrors.Error e;
        if (err instanceof ShlinkErrors.Error se) {
            e = se;
        } else {
            ProblemException p = Edge.problemOf(ctx);
            if (p == null) return;
            Matcher m = CODE_IN_PATH.matcher(ctx.request().path());
            String code = m.find() ? m.group(1) : null;
            if (ctx.request().method() == HttpMethod.POST && p.type().endsWith(":slug-taken")) {
                code = customSlugOf(ctx);
            }
            e = ShlinkErrors.of(p, code);
        }
        Edge.send(ctx, e.status, "application/problem+json", e.body.encode());
    }

    private static String customSlugOf(RoutingContext ctx) {
        try {
            return Edge.json(ctx).getString("customSlug");
        } catch (RuntimeException ex) {
            return null;
        }
    }

    /** Reads a Shlink request body, collecting Shlink's {@code invalidElements}. */
    private static final class Fields {
        private final JsonObject o;
        private final Set<String> invalid = new TreeSet<>();

        Fields(JsonObject o) {
            this.o = o;
        }

        boolean has(String field, Set<String> present, String kurzName) {
            if (!o.containsKey(field)) return false;
            present.add(kurzName);
            return true;
        }

        void invalid(String field) {
            invalid.add(field);
        }

        String string(String f) {
            Object v = o.getValue(f);
            if (v == null || v instanceof String) return v == null || ((String) v).isEmpty() ? null : (String) v;
            invalid.add(f);
            return null;
        }

        Boolean bool(String f) {
            Object v = o.getValue(f);
            if (v == null || v instanceof Boolean) return (Boolean) v;
            invalid.add(f);
            return null;
        }

        Long count(String f) {
            Object v = o.getValue(f);
            if (v == null) return null;
            if (v instanceof Number n && n.doubleValue() == Math.floor(n.doubleValue()) && n.longValue() >= 1) return n.longValue();
            invalid.add(f);
            return null;
        }

        List<String> tags(String f) {
            Object v = o.getValue(f);
            if (v == null) return null;
            if (v instanceof JsonArray a) {
                List<String> out = new ArrayList<>();
                for (Object t : a) {
                    if (!(t instanceof String s)) {
                        invalid.add(f);
                        return null;
                    }
                    if (!out.contains(s)) out.add(s);
                }
                return out;
            }
            invalid.add(f);
            return null;
        }

        Instant date(String f) {
            Object v = o.getValue(f);
            if (v == null) return null;
            Instant t = v instanceof String s ? parseDate(s) : null;
            if (t == null) invalid.add(f);
            return t;
        }

        /** Kurz links are live from their creation: a start in the past (or none) is accepted, a future one is not. */
        void validSince(Instant now) {
            Instant since = date("validSince");
            if (since != null && since.isAfter(now)) invalid.add("validSince");
        }

        void throwIfInvalid() {
            if (!invalid.isEmpty()) {
                throw ShlinkErrors.invalidData("Provided data is not valid: " + String.join(", ", invalid), invalid.toArray(String[]::new));
            }
        }

        static Instant parseDate(String s) {
            try {
                return java.time.OffsetDateTime.parse(s.strip()).toInstant();
            } catch (RuntimeException e) {
                try {
                    return java.time.LocalDate.parse(s.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (RuntimeException e2) {
                    return null;
                }
            }
        }
    }
}

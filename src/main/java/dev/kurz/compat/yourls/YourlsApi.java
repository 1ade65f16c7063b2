package dev.kurz.compat.yourls;

import dev.kurz.auth.Scope;
import dev.kurz.compat.Shortener;
import dev.kurz.link.Link;
import dev.kurz.link.LinkDraft;
import dev.kurz.problem.ProblemException;
import dev.kurz.web.Edge;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * YOURLS's {@code /yourls-api.php} over Kurz's links (on only with {@code KURZ_YOURLS_API=true}):
 * a keyword is a Kurz slug, the credential is a Kurz API key sent as {@code signature=} or as
 * {@code password=} (with any {@code username}). YOURLS reads parameters from the query and the
 * form body alike; a key in the query is checked before the body is read, a key in the body only
 * after (it cannot be otherwise), within the API's body limit and auth-failure limit.
 * YOURLS's time-limited signatures ({@code timestamp=}) cannot be checked against hashed keys and
 * are refused. Answers keep YOURLS's quirks: numbers as strings, the HTTP status from
 * {@code statusCode}/{@code errorCode}, XML unless another {@code format} is asked for.
 */
public final class YourlsApi implements Edge.Module {
    static final String PATH = "/yourls-api.php";
    static final String VERSION = "1.10.2";
    private static final String AUTHENTICATED = "yourls.authenticating";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Shortener links;
    private Edge edge;

    public YourlsApi(Shortener links) {
        this.links = links;
    }

    @Override
    public void mount(Router r, Edge edge) {
        this.edge = edge;
        r.route(PATH).failureHandler(this::failure);
        r.route(PATH).handler(ctx -> {
            if (ctx.request().method() != HttpMethod.GET && ctx.request().method() != HttpMethod.POST) {
                answer(ctx, Answer.error(405, "Use GET or POST"));
                return;
            }
            if (hasCredentials(ctx.queryParams())) authenticate(ctx, ctx.queryParams());
            else ctx.next();
        });
        r.route(PATH).handler(edge.body());
        r.route(PATH).handler(ctx -> {
            if (ctx.get(AUTHENTICATED) != null) ctx.next();
            else authenticate(ctx, ctx.request().params());
        });
        r.route(PATH).handler(edge::throttle);
        r.route(PATH).handler(this::action);
    }

    private static boolean hasCredentials(MultiMap p) {
        return p.contains("signature") || p.contains("password") || p.contains("timestamp");
    }

    private void authenticate(RoutingContext ctx, MultiMap p) {
        ctx.put(AUTHENTICATED, true);
        String key = null;
        boolean any = hasCredentials(p);
        if (p.contains("timestamp")) {
            key = null; // md5(timestamp + key) cannot be checked: Kurz keeps only each key's SHA-256
        } else if (p.get("signature") != null && !p.get("signature").isBlank()) {
            key = p.get("signature");
        } else if (p.get("username") != null && !p.get("username").isBlank() && p.get("password") != null) {
            key = p.get("password");
        }
        String message = any ? "Invalid username or password" : "Please log in";
        edge.authenticate(ctx, key, () -> answer(ctx, Answer.error(403, message)));
    }

    // ---- actions ----

    private void action(RoutingContext ctx) {
        MultiMap p = ctx.request().params();
        String action = p.get("action");
        Long visibleTo = Edge.visibleTo(ctx);
        switch (action == null ? "" : action) {
            case "shorturl" -> shorten(ctx, p);
            case "expand" -> read(ctx, () -> {
                Link l = find(p.get("shorturl"), visibleTo);
                if (l == null) return new Answer(404, obj("keyword", keyword(p.get("shorturl")), "message", "Error: short URL not found",
                        "errorCode", "404"), null);
                return new Answer(200, obj("keyword", l.slug(), "shorturl", shortUrl(l), "longurl", l.url(), "title", title(l),
                        "message", "success", "statusCode", "200"), l.url());
            });
            case "url-stats" -> read(ctx, () -> {
                Link l = find(p.get("shorturl"), visibleTo);
                if (l == null) return new Answer(404, obj("statusCode", "404", "message", "Error: short URL not found"), null);
                return new Answer(200, obj("statusCode", "200", "message", "success", "link", link(l)), null);
            });
            case "stats" -> read(ctx, () -> stats(p, visibleTo));
            case "db-stats" -> read(ctx, () -> {
                long[] t = totals(links.all(visibleTo, null, null));
                return new Answer(200, obj("db-stats", obj("total_links", str(t[0]), "total_clicks", str(t[1])),
                        "statusCode", "200", "message", "success"), null);
            });
            case "version" -> {
                JsonObject o = obj("version", VERSION);
                if (p.get("db") != null) o.put("db_version", "482");
                answer(ctx, new Answer(200, o, VERSION));
            }
            default -> answer(ctx, new Answer(400, obj("errorCode", "400", "message", "Unknown or missing \"action\" parameter"), null));
        }
    }

    private void shorten(RoutingContext ctx, MultiMap p) {
        Edge.require(ctx, Scope.LINKS_WRITE);
        String url = p.get("url");
        if (url == null || url.isBlank()) {
            answer(ctx, fail("error:nourl", "Missing or malformed URL", 400));
            return;
        }
        String keyword = blankToNull(p.get("keyword"));
        String title = blankToNull(p.get("title"));
        var who = Edge.actor(ctx);
        Long by = Edge.keyId(ctx);
        edge.run(ctx, () -> {
            try {
                Link l = links.create(new LinkDraft(url.strip(), keyword, title, null, null, null, null, null), who, by);
                JsonObject o = obj("url", obj("keyword", l.slug(), "url", l.url(), "title", title(l), "date", DATE.format(l.createdAt()), "ip", ""),
                        "status", "success", "message", shorten(l.url()) + " added to database", "title", title(l),
                        "shorturl", shortUrl(l), "statusCode", "200", "code", "", "errorCode", "");
                return new Answer(200, o, shortUrl(l));
            } catch (ProblemException e) {
                String kind = e.type().substring(e.type().lastIndexOf(':') + 1);
                boolean aboutKeyword = kind.equals("slug-taken") || e.errors().stream().anyMatch(f -> f.field().equals("slug"));
                if (aboutKeyword) return fail("error:keyword", "Short URL " + keyword + " already exists in database or is reserved", 400);
                if (e.status() >= 500) throw e;
                return fail("error:nourl", e.detail(), 400);
            }
        }, a -> answer(ctx, a));
    }

    private Answer stats(MultiMap p, Long visibleTo) {
        String filter = p.get("filter") == null ? "top" : p.get("filter").toLowerCase(Locale.ROOT);
        int limit = whole(p.get("limit"), 0);
        int start = Math.max(0, whole(p.get("start"), 0));
        List<Link> all = new ArrayList<>(links.all(visibleTo, null, null));
        long[] totals = totals(all);
        switch (filter) {
            case "bottom" -> all.sort(Comparator.comparingLong(Link::clicks));
            case "last" -> all.sort(Comparator.comparing(Link::createdAt).thenComparingLong(Link::id).reversed());
            case "rand", "random" -> java.util.Collections.shuffle(all);
            default -> all.sort(Comparator.comparingLong(Link::clicks).reversed());
        }
        JsonObject linksJson = new JsonObject();
        if (limit > 0) {
            List<Link> page = all.subList(Math.min(start, all.size()), Math.min(start + limit, all.size()));
            for (int i = 0; i < page.size(); i++) linksJson.put("link_" + (i + 1), link(page.get(i)));
        }
        return new Answer(200, obj("links", linksJson, "stats", obj("total_links", str(totals[0]), "total_clicks", str(totals[1])),
                "statusCode", "200", "message", "success"), null);
    }

    // ---- helpers ----

    private void read(RoutingContext ctx, java.util.concurrent.Callable<Answer> work) {
        Edge.require(ctx, Scope.LINKS_READ);
        edge.run(ctx, work, a -> answer(ctx, a));
    }

    /** The link of a keyword or a short URL ({@code <base>/<keyword>}), or null. */
    private Link find(String shorturl, Long visibleTo) {
        String k = keyword(shorturl);
        if (k == null) return null;
        try {
            return links.get(k, visibleTo);
        } catch (dev.kurz.link.LinkNotFoundException e) {
            return null;
        }
    }

    private static String keyword(String shorturl) {
        return Shortener.slugOf(shorturl);
    }

    private JsonObject link(Link l) {
        return obj("shorturl", shortUrl(l), "url", l.url(), "title", title(l), "timestamp", DATE.format(l.createdAt()), "ip", "",
                "clicks", str(l.clicks()));
    }

    private String shortUrl(Link l) {
        return edge.base() + "/" + l.slug();
    }

    /** YOURLS falls back to the URL as the title (Kurz never fetches the page to find one). */
    private static String title(Link l) {
        return l.title() == null ? l.url() : l.title();
    }

    private static String shorten(String url) {
        return url.length() > 50 ? url.substring(0, 49) + "…" : url;
    }

    private static long[] totals(List<Link> all) {
        long clicks = 0;
        for (Link l : all) clicks += l.clicks();
        return new long[] {all.size(), clicks};
    }

    private static Answer fail(String code, String message, int status) {
        return new Answer(status, obj("status", "fail", "code", code, "message", message, "errorCode", str(status),
                "statusCode", str(status)), message);
    }

    private static String str(long n) {
        return Long.toString(n);
    }

    private static int whole(String raw, int fallback) {
        try {
            return raw == null || raw.isBlank() ? fallback : Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static JsonObject obj(Object... kv) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < kv.length; i += 2) o.put((String) kv[i], kv[i + 1]);
        return o;
    }

    /** A YOURLS answer: the HTTP status, the body, and what {@code format=simple} prints (null: the message). */
    record Answer(int status, JsonObject body, String simple) {
        static Answer error(int status, String message) {
            return new Answer(status, obj("errorCode", str(status), "message", message, "callback", ""), null);
        }
    }

    private void answer(RoutingContext ctx, Answer a) {
        String format = ctx.request().getParam("format");
        format = format == null ? "xml" : format.toLowerCase(Locale.ROOT);
        switch (format) {
            case "json" -> Edge.send(ctx, a.status(), "application/json; charset=utf-8", a.body().encode());
            case "jsonp" -> {
                String cb = ctx.request().getParam("callback", ctx.request().getParam("jsonp", "yourls"));
                if (!cb.matches("[A-Za-z_$][A-Za-z0-9_$.]{0,63}")) cb = "yourls";
                Edge.send(ctx, a.status(), "application/javascript; charset=utf-8", "/**/" + cb + "(" + a.body().encode() + ")");
            }
            case "simple" -> Edge.send(ctx, a.status(), "text/plain; charset=utf-8",
                    a.simple() != null ? a.simple() : String.valueOf(a.body().getValue("message", "")));
            default -> Edge.send(ctx, a.status(), "application/xml; charset=utf-8",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<result>" + xml(a.body()) + "</result>");
        }
    }

    private static String xml(JsonObject o) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : o) {
            sb.append('<').append(e.getKey()).append('>');
            if (e.getValue() instanceof JsonObject inner) sb.append(xml(inner));
            else if (e.getValue() != null) sb.append(escape(String.valueOf(e.getValue())));
            sb.append("</").append(e.getKey()).append('>');
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private void failure(RoutingContext ctx) {
        ProblemException p = Edge.problemOf(ctx);
        if (p == null) return;
        String kind = p.type().substring(p.type().lastIndexOf(':') + 1);
        int status = kind.equals("forbidden") || kind.equals("own-links-only") ? 403 : p.status();
        if (status == 413 || status == 400) status = 400;
        answer(ctx, Answer.error(status, status >= 500 ? "error:db " + p.detail() : p.detail()));
    }
}

package dev.kurz.web;

import dev.kurz.abuse.Abuse;
import dev.kurz.abuse.Report;
import dev.kurz.auth.Scope;
import dev.kurz.problem.ProblemException;
import dev.kurz.problem.ProblemException.FieldError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Abuse handling over HTTP: {@code POST /api/v1/reports} for anyone (mounted before
 * authentication, rate-limited per client address), and for admins the reports and
 * {@code POST|DELETE /api/v1/links/{slug}/block} (with {@code ?domain=} for a link on a branded domain).
 */
final class AbuseRoutes {
    static final long REPORT_BODY_LIMIT = 16 * 1024;
    private static final List<String> REPORT_FIELDS = List.of("url", "slug", "reason", "email");
    private static final List<String> BLOCK_FIELDS = List.of("reason");

    private final Abuse abuse;
    private final dev.kurz.link.LinkService links;
    private final Blocking blocking;
    private final String base;

    private final io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> reportLimit;

    /** @param reportLimit the per-address rate limit of reports, run before their body is read */
    private final dev.kurz.audit.AuditLog audit;

    AbuseRoutes(Abuse abuse, dev.kurz.link.LinkService links, Blocking blocking, String base,
                io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> reportLimit, dev.kurz.audit.AuditLog audit) {
        this.links = links;
        this.audit = audit;
        this.reportLimit = reportLimit;
        this.abuse = abuse;
        this.blocking = blocking;
        this.base = base;
    }

    /** Routes without an API key: mount before the authentication filter. */
    void mountPublic(Router r) {
        // The limit may answer later (Redis): the body waits, paused, and the body handler resumes it.
        r.post("/api/v1/reports").handler(ctx -> {
            ctx.request().pause();
            reportLimit.handle(ctx);
        });
        r.post("/api/v1/reports")
                // Its own small limit: the report must not depend on where the API's body handler sits.
                .handler(BodyHandler.create(false).setBodyLimit(REPORT_BODY_LIMIT))
                .handler(this::report)
                .failureHandler(ctx -> {
                    // Name this route's own limit; everything else goes to the API's failure handler.
                    if (ctx.failure() == null && ctx.statusCode() == 413) {
                        ApiRoutes.sendRefusal(ctx, ApiProblems.payloadTooLarge(REPORT_BODY_LIMIT));
                    } else {
                        ctx.next();
                    }
                });
    }

    /** Admin routes: mount after the authentication filter. */
    void mount(Router r) {
        r.get("/api/v1/reports").handler(ApiRoutes.scope(Scope.ADMIN, this::listReports));
        r.post("/api/v1/links/:slug/block").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            JsonObject body = ApiRoutes.body(ctx);
            String reason = strings(body, BLOCK_FIELDS, "Invalid block").get(0);
            String slug = ctx.pathParam("slug"), domain = ctx.queryParams().get("domain");
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                var l = abuse.block(links.key(domain, slug), reason);
                audit.linkBlocked(who, l.key(), reason);
                return l;
            }, l -> ApiRoutes.json(ctx, 200, LinkJson.toJson(l, base)));
        }));
        r.delete("/api/v1/links/:slug/block").handler(ApiRoutes.scope(Scope.ADMIN, ctx -> {
            String slug = ctx.pathParam("slug"), domain = ctx.queryParams().get("domain");
            var who = Callers.actor(ctx);
            blocking.run(ctx, () -> {
                var l = abuse.unblock(links.key(domain, slug));
                audit.linkUnblocked(who, l.key());
                return l;
            }, l -> ApiRoutes.json(ctx, 200, LinkJson.toJson(l, base)));
        }));
    }

    private void report(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String mime = type == null ? "" : type.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
        if (!mime.equals("application/json") && !mime.endsWith("+json")) throw ApiProblems.unsupportedMediaType();
        String ip = RequestInfo.clientIp(ctx);
        if (!abuse.mayReport(ip)) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "60");
            throw new ProblemException("too-many-reports", "Too many reports", 429,
                    "This address has sent too many abuse reports; try again in a minute");
        }
        JsonObject body = ApiRoutes.body(ctx);
        List<String> v = strings(body, REPORT_FIELDS, "Invalid report");
        var draft = new Abuse.ReportDraft(v.get(0), v.get(1), v.get(2), v.get(3));
        String requestId = RequestInfo.requestId(ctx);
        blocking.run(ctx, () -> abuse.report(draft, ip, requestId),
                saved -> ApiRoutes.json(ctx, 202, new JsonObject().put("status", "received")
                        .put("detail", "Thank you: an administrator will review the report")));
    }

    private void listReports(RoutingContext ctx) {
        int limit = ApiRoutes.intParam(ctx, "limit", 50, 1, Abuse.MAX_PAGE);
        String cursor = ctx.request().getParam("cursor");
        blocking.run(ctx, () -> abuse.reports(limit, cursor), page -> {
            JsonArray items = new JsonArray();
            for (Report rep : page.items()) items.add(toJson(rep));
            ApiRoutes.json(ctx, 200, new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
        });
    }

    static JsonObject toJson(Report r) {
        return new JsonObject()
                .put("id", r.id())
                .put("url", r.url())
                .put("slug", r.slug())
                .put("reason", r.reason())
                .put("email", r.email())
                .put("clientIp", r.clientIp())
                .put("requestId", r.requestId())
                .put("createdAt", r.createdAt().toString());
    }

    /** The values of {@code fields}, in that order (null when absent); an unknown or non-string field is a 400. */
    private static List<String> strings(JsonObject body, List<String> fields, String title) {
        List<FieldError> errors = new ArrayList<>();
        for (String f : body.fieldNames()) {
            if (!fields.contains(f)) {
                errors.add(new FieldError(f, "is not a known field; known fields: " + String.join(", ", fields.stream().sorted().toList())));
            }
        }
        List<String> values = new ArrayList<>();
        for (String f : fields) {
            Object v = body.getValue(f);
            if (v != null && !(v instanceof String)) errors.add(new FieldError(f, "must be a string"));
            values.add(v instanceof String s ? s : null);
        }
        if (!errors.isEmpty()) {
            throw new ProblemException("validation", title, 400, errors.size() == 1
                    ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields are invalid: " + String.join(", ", errors.stream().map(FieldError::field).toList()), errors);
        }
        return values;
    }
}

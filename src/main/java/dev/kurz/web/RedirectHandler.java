package dev.kurz.web;

import dev.kurz.analytics.Click;
import dev.kurz.analytics.ClickBuffer;
import dev.kurz.ops.RedirectTimers.Outcome;
import dev.kurz.problem.ProblemException;
import dev.kurz.redirect.RedirectCache;
import dev.kurz.redirect.Redirector;
import dev.kurz.redirect.Route;
import dev.kurz.redirect.Target;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path, {@code GET|HEAD /{slug}}: resolve, respond, record. A cache hit completes on the
 * event loop without locks or I/O; a miss or a click-limited link continues on the event loop
 * once the blocking work is done elsewhere. Each outcome is then reported to the
 * {@link RedirectObserver} (a pre-registered timer; off with KURZ_METRICS_REDIRECTS=off, measured by
 * bench/redirect/metrics.sh).
 */
final class RedirectHandler {
    private static final Logger log = LoggerFactory.getLogger(RedirectHandler.class);
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
    // Browsers keep 301/308 forever unless told otherwise; a short private lifetime keeps edits and counts honest.
    private static final CharSequence PERMANENT = HttpHeaders.createOptimized("private, max-age=90");
    private static final CharSequence HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
    private static final CharSequence NOSNIFF_HEADER = HttpHeaders.createOptimized("X-Content-Type-Options");
    private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
    private static final CharSequence CSP_HEADER = HttpHeaders.createOptimized("Content-Security-Policy");
    // The pages carry one inline style and nothing else.
    private static final CharSequence PAGE_CSP = HttpHeaders.createOptimized("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    private static final Buffer NOT_FOUND_PAGE = page("404 — link not found", "This short link does not exist, or it was deleted.");
    private static final Buffer GONE_PAGE = page("410 — link no longer available", "This short link has expired or reached its click limit.");
    private static final Buffer BLOCKED_PAGE = page("410 — link disabled",
            "This short link was disabled because its destination was reported or listed as unsafe.");
    private static final Buffer TOO_MANY_PAGE = page("429 — too many requests", "Too many requests from your address; try again in a few seconds.");

    private static final Supplier<String> NO_PEER = () -> null;
    private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
    private static final CharSequence FORWARDED = HttpHeaders.createOptimized("Forwarded");

    private final RedirectCache cache;
    private final Redirector redirector;
    private final ClickBuffer clicks;
    private final InstantSource clock;

    private final boolean captureForwarded;
    private final Throttle throttle;
    /** A miss or a click count waits at most this long for the database ({@code KURZ_DB_TIMEOUT}), then 503. */
    private final long deadlineMillis;
    private RedirectObserver observer = RedirectObserver.OFF;
    private SmartLinks smart;
    private dev.kurz.analytics.TrustedProxies proxies;
    private String scheme = "http";
    private dev.kurz.analytics.OrphanVisits orphans;

    RedirectHandler(RedirectCache cache, Redirector redirector, ClickBuffer clicks, InstantSource clock, boolean captureForwarded, Throttle throttle,
                    java.time.Duration deadline) {
        this.deadlineMillis = deadline.toMillis();
        this.throttle = throttle;
        this.captureForwarded = captureForwarded;
        this.cache = cache;
        this.redirector = redirector;
        this.clicks = clicks;
        this.clock = clock;
    }

    /** Latency by outcome (and sampled traces); {@link RedirectObserver#OFF} until set. */
    RedirectHandler observe(RedirectObserver observer) {
        this.observer = observer;
        return this;
    }

    /** Smart links: what rules and the password form need; {@code baseUrl}'s scheme makes the short URLs of other domains. */
    RedirectHandler smart(SmartLinks smart, dev.kurz.analytics.TrustedProxies proxies, String baseUrl) {
        this.smart = smart;
        this.proxies = proxies;
        this.scheme = baseUrl.substring(0, baseUrl.indexOf(':'));
        return this;
    }

    /** Where GETs of unknown slugs are recorded (null: nowhere). */
    RedirectHandler orphans(dev.kurz.analytics.OrphanVisits orphans) {
        this.orphans = orphans;
        return this;
    }

    void handle(HttpServerRequest req, String slug) {
        handle(req, slug, null);
    }

    /** @param domain the domain the request's Host names (null: the default domain); {@code key} the link's key on it */
    void handle(HttpServerRequest req, String key, dev.kurz.link.Domain domain) {
        long start = observer.start();
        if (!throttle.redirect(req)) {
            error(req, 429, throttle.redirectRefused(req));
            observer.done(req, Outcome.REFUSED, start);
            return;
        }
        CompletableFuture<Target> f = cache.get(key);
        if (f.isDone() && !f.isCompletedExceptionally()) {
            respond(req, f.join(), domain, start, false);
            return;
        }
        Context context = Vertx.currentContext();
        // A copy: the cache's own future stays for the other requests waiting on this load.
        f.copy().orTimeout(deadlineMillis, TimeUnit.MILLISECONDS).whenComplete((t, err) -> context.runOnContext(v -> {
            if (err != null) failed(req, err, start);
            else respond(req, t, domain, start, false);
        }));
    }

    /**
     * @param unlocked the right password came with the request: the form is not shown again.
     * Smart links' work lives in methods of its own, so the plain branches compile as they did
     * before smart links (same size, same inlining decisions under load).
     */
    private void respond(HttpServerRequest req, Target t, dev.kurz.link.Domain domain, long start, boolean unlocked) {
        long now = clock.millis();
        switch (Redirector.decide(t, now)) {
            case REDIRECT -> {
                if (t.route() != null) {
                    smartRedirect(req, t, domain, now, start, unlocked);
                    return;
                }
                redirect(req, t);
                record(req, t, now, false, null);
                observer.done(req, Outcome.REDIRECT, start);
            }
            case NOT_FOUND -> notFound(req, domain, now, start);
            case EXPIRED -> gone(req, t, ApiProblems.linkExpired(t.slug()), start);
            case EXHAUSTED -> gone(req, t, ApiProblems.linkExhausted(t.slug()), start);
            case COUNT_FIRST -> {
                if (t.route() != null && !unlocked && gated(req, t, domain, start)) return;
                countThenRedirect(req, t, now, start);
            }
            case BLOCKED -> {
                error(req, 410, AbuseJson.linkBlocked(t.slug()), BLOCKED_PAGE);
                observer.done(req, Outcome.GONE, start);
            }
        }
    }

    /** A smart link's redirect: its page when it answers with one, else the destination its rules and variants choose. */
    private void smartRedirect(HttpServerRequest req, Target t, dev.kurz.link.Domain domain, long now, long start, boolean unlocked) {
        if (!unlocked && gated(req, t, domain, start)) return;
        String served = smartAnswer(req, t);
        record(req, t, now, false, served);
        observer.done(req, Outcome.REDIRECT, start);
    }

    /** No such link: the domain's {@code notFoundRedirect} or the 404 page; a GET is recorded as an orphan visit. */
    private void notFound(HttpServerRequest req, dev.kurz.link.Domain domain, long now, long start) {
        if (domain != null && domain.notFoundRedirect() != null) found(req, domain.notFoundRedirect());
        else error(req, 404, null);
        if (orphans != null && req.method() == io.vertx.core.http.HttpMethod.GET) {
            orphans.offer(now, req.path(), req.getHeader(HttpHeaders.REFERER), req.getHeader(HttpHeaders.USER_AGENT));
        }
        observer.done(req, Outcome.NOT_FOUND, start);
    }

    /** Expired or spent: the link's {@code fallbackUrl} (302) when it has one, else 410 with {@code problem}. */
    private void gone(HttpServerRequest req, Target t, ProblemException problem, long start) {
        if (t.route() != null && t.route().fallbackUrl() != null) found(req, t.route().fallbackUrl());
        else error(req, 410, problem);
        observer.done(req, Outcome.GONE, start);
    }

    /** A click-limited link: the database counts the click atomically, so N means exactly N redirects. */
    private void countThenRedirect(HttpServerRequest req, Target t, long now, long start) {
        boolean head = req.method() == HttpMethod.HEAD;
        // Past the deadline: 503, never a redirect that was not counted (the count may still land late).
        CompletableFuture<Boolean> allowed = (head ? redirector.underLimit(t) : redirector.count(t)).orTimeout(deadlineMillis, TimeUnit.MILLISECONDS);
        Context context = Vertx.currentContext();
        allowed.whenComplete((ok, err) -> context.runOnContext(v -> {
            if (err != null) {
                failed(req, err, start);
            } else if (ok) {
                String served = answer(req, t);
                record(req, t, now, !head, served);
                observer.done(req, Outcome.REDIRECT, start);
            } else {
                if (!head) cache.markExhausted(t);
                gone(req, t, ApiProblems.linkExhausted(t.slug()), start);
            }
        }));
    }

    /** Answers the redirect; returns what was served for a smart link ("rule:N", "variant:N" or the URL), null for a plain one. */
    private String answer(HttpServerRequest req, Target t) {
        if (t.route() == null) {
            redirect(req, t);
            return null;
        }
        return smartAnswer(req, t);
    }

    /** A plain link's redirect. */
    private static void redirect(HttpServerRequest req, Target t) {
        send(req, t.status(), Redirector.location(t, req.query()), t.status() == 301 || t.status() == 308);
    }

    /** A smart link's redirect to what its rules and variants choose for this visitor; returns what was served. */
    private String smartAnswer(HttpServerRequest req, Target t) {
        Route r = t.route();
        Route.Choice c = r.chooses() ? r.choose(new RequestVisitor(req, smart, proxies)) : r.own();
        // The answer depends on who asks: never cached as permanent.
        send(req, t.status(), Redirector.location(c.url(), r.query(t.forwardQuery() ? req.query() : null)), false);
        return c.label() == null ? c.url() : c.label();
    }

    private static void send(HttpServerRequest req, int status, String location, boolean permanent) {
        HttpServerResponse resp = req.response();
        resp.setStatusCode(status);
        MultiMap h = resp.headers();
        try {
            h.add(HttpHeaders.LOCATION, location);
        } catch (IllegalArgumentException e) {
            // A query no header may carry (the decoder refuses control characters; this is the last guard).
            resp.setStatusCode(400).putHeader(HttpHeaders.CONNECTION, "close").end();
            return;
        }
        h.add(HttpHeaders.CACHE_CONTROL, permanent ? PERMANENT : NO_STORE);
        h.add(NOSNIFF_HEADER, NOSNIFF);
        resp.end();
    }

    /** 302 to a domain's or a link's own fallback address. */
    private static void found(HttpServerRequest req, String url) {
        req.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, url).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                .putHeader(NOSNIFF_HEADER, NOSNIFF).end();
    }

    /**
     * A smart link that answers with a page instead of a redirect: the preview card for a
     * link-preview fetcher, the password form for anyone else when a password guards it. True when answered.
     */
    private boolean gated(HttpServerRequest req, Target t, dev.kurz.link.Domain domain, long start) {
        Route r = t.route();
        if (!r.gates()) return false;
        if (r.preview() != null && smart.agents().previewFetcher(req.getHeader(HttpHeaders.USER_AGENT))) {
            // Behind a password, the card links the short link, never the destination.
            String href = r.passwordHash() != null ? shortUrl(req, domain, t) : Redirector.location(t.url(), r.query(null));
            page(req, 200, SmartPages.preview(r.preview(), href));
            observer.done(req, Outcome.REDIRECT, start);
            return true;
        }
        if (r.passwordHash() == null) return false;
        page(req, 200, SmartPages.passwordForm(null));
        observer.done(req, Outcome.REDIRECT, start);
        return true;
    }

    private String shortUrl(HttpServerRequest req, dev.kurz.link.Domain domain, Target t) {
        String host = domain != null ? domain.host() : req.authority() == null ? "" : req.authority().toString();
        return scheme + "://" + host + "/" + dev.kurz.link.LinkKeys.slug(t.slug());
    }

    static void page(HttpServerRequest req, int status, Buffer body) {
        HttpServerResponse resp = req.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, HTML)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                .putHeader(NOSNIFF_HEADER, NOSNIFF)
                .putHeader(CSP_HEADER, SmartPages.CSP)
                .putHeader("Referrer-Policy", "no-referrer");
        if (req.method() == HttpMethod.HEAD) resp.end();
        else resp.end(body);
    }

    /**
     * {@code POST /{slug}} with the form field {@code password}: at most
     * {@link SmartLinks#passwordTries} tries per client address and link (then 429), the hash
     * checked off the event loop, and on a match the redirect a {@code GET} would have made.
     */
    void unlock(io.vertx.ext.web.RoutingContext ctx, Blocking blocking, String key, dev.kurz.link.Domain domain) {
        HttpServerRequest req = ctx.request();
        long start = observer.start();
        String password = req.getFormAttribute("password");
        Context context = Vertx.currentContext();
        blocking.bounded(ctx, cache.get(key).copy()).whenComplete((t, err) -> context.runOnContext(v -> {
            if (err != null) {
                ctx.fail(err);
                return;
            }
            if (t.missing() || t.route() == null || t.route().passwordHash() == null) {
                error(req, 404, null);
                return;
            }
            String ip = RequestInfo.clientIp(ctx);
            smart.passwordTries().acquire((ip == null ? "-" : ip) + "|" + t.linkId(), 1).whenComplete((d, e) -> context.runOnContext(w -> {
                if (d != null && !d.allowed()) {
                    req.response().putHeader(Throttle.RETRY_AFTER, Long.toString(d.retryAfterSeconds()));
                    page(req, 429, SmartPages.passwordForm("Too many tries from your address; try again in a few minutes."));
                    return;
                }
                blocking.run(ctx, () -> dev.kurz.link.Passwords.matches(password, t.route().passwordHash()), ok -> {
                    if (ok) respond(req, t, domain, start, true);
                    else page(req, 401, SmartPages.passwordForm("That password is not right."));
                });
            }));
        }));
    }

    private void record(HttpServerRequest req, Target t, long now, boolean counted, String served) {
        MultiMap h = req.headers();
        SocketAddress peer = req.remoteAddress();
        clicks.offer(new Click(t.linkId(), t.slug(), now, peer == null ? NO_PEER : new Peer(peer),
                h.get(HttpHeaders.USER_AGENT), h.get(HttpHeaders.REFERER), h.get(HttpHeaders.ACCEPT_LANGUAGE),
                req.method() == HttpMethod.HEAD, counted,
                captureForwarded ? all(h, X_FORWARDED_FOR) : null, captureForwarded ? all(h, FORWARDED) : null, served));
    }

    /**
     * The socket's peer address, formatted only when asked (off the event loop). Equal when it wraps
     * the same address object, so the enricher can reuse what it made of this connection's last click.
     */
    private record Peer(SocketAddress address) implements Supplier<String> {
        @Override
        public String get() {
            return address.hostAddress();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Peer p && p.address == address;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(address);
        }
    }

    /** Every value of a header, joined in the order received (a proxy chain may span several lines). */
    private static String all(MultiMap h, CharSequence name) {
        var values = h.getAll(name);
        return values.isEmpty() ? null : values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    private void error(HttpServerRequest req, int status, ProblemException problem) {
        error(req, status, problem, status == 404 ? NOT_FOUND_PAGE : status == 429 ? TOO_MANY_PAGE : GONE_PAGE);
    }

    private void error(HttpServerRequest req, int status, ProblemException problem, Buffer page) {
        HttpServerResponse resp = req.response();
        String accept = req.getHeader(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains("json")) {
            String slug = req.path().substring(1);
            Problems.send(resp, problem != null ? problem : new dev.kurz.link.LinkNotFoundException(slug), req.path());
            return;
        }
        resp.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, HTML)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                .putHeader(NOSNIFF_HEADER, NOSNIFF)
                .putHeader(CSP_HEADER, PAGE_CSP)
                .end(page);
    }

    private void failed(HttpServerRequest req, Throwable err, long start) {
        String id = Integer.toHexString(System.identityHashCode(req));
        if (Outages.databaseUnavailable(err)) {
            log.warn("redirect for {} failed: database unavailable (request id {}): {}", req.path(), id, Outages.describe(err));
        } else {
            log.error("redirect for {} failed (request id {})", req.path(), id, err);
        }
        Problems.send(req.response(), ApiProblems.unavailable("The link database"), req.path(), id);
        observer.done(req, Outcome.FAILED, start);
    }

    private static Buffer page(String title, String text) {
        return Buffer.buffer("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" + title + "</title>"
                + "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}"
                + "h1{font-size:1.4rem}</style></head><body><main><h1>" + title + "</h1><p>" + text + "</p></main></body></html>");
    }
}

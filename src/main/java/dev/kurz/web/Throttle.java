package dev.kurz.web;

import dev.kurz.analytics.TrustedProxies;
import dev.kurz.auth.Principal;
import dev.kurz.ratelimit.AddressKeys;
import dev.kurz.ratelimit.Decision;
import dev.kurz.ratelimit.Limiter;
import dev.kurz.ratelimit.RateLimited;
import dev.kurz.ratelimit.RateLimits;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The rate limits at the HTTP edge: which bucket a request draws from, the IETF RateLimit
 * header fields (draft-ietf-httpapi-ratelimit-headers) on every API answer, and the 429
 * problem with {@code Retry-After}. The limits themselves are {@link RateLimits}.
 */
final class Throttle {
    static final CharSequence RATELIMIT = HttpHeaders.createOptimized("RateLimit");
    static final CharSequence RATELIMIT_POLICY = HttpHeaders.createOptimized("RateLimit-Policy");
    static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
    private static final String KEY = "kurz.ratelimit.key";
    private static final String ANONYMOUS = "-";

    private final RateLimits limits;
    private final TrustedProxies proxies;
    private final boolean redirectOn;
    private final String apiPolicy;
    private final String authPolicy;
    private final String reportsPolicy;

    Throttle(RateLimits limits, TrustedProxies proxies) {
        this.limits = limits;
        this.proxies = proxies;
        this.redirectOn = !limits.redirect.off();
        this.apiPolicy = policy(limits.api, limits.apiIp);
        this.authPolicy = policy(limits.authFailures.limit());
        this.reportsPolicy = policy(limits.reports);
    }

    // ---- the API, after authentication ----

    /** One token per call from the key's bucket and from the client address's bucket. */
    void api(RoutingContext ctx, Principal principal) {
        if (apiPolicy == null) {
            ctx.next();
            return;
        }
        String key = principal == null ? ANONYMOUS : Long.toString(principal.keyId());
        ctx.put(KEY, key);
        both(ctx, limits.api.acquire(key, 1), limits.apiIp.acquire(address(ctx), 1), (byKey, byIp) -> {
            if (answered(ctx, byKey, byIp)) return;
            ctx.next();
        });
    }

    /**
     * A batch of {@code items} counts as that many calls: the call itself took one token, this
     * takes the other {@code items - 1}, all or none, and runs {@code then}; or answers 429 for
     * the whole batch.
     */
    void items(RoutingContext ctx, int items, Runnable then) {
        if (apiPolicy == null || items <= 1) {
            then.run();
            return;
        }
        for (Limiter l : new Limiter[] {limits.api, limits.apiIp}) {
            if (!l.off() && items > l.rate().tokens()) {
                refuse(ctx, RateLimited.batchTooLarge(l, who(l), items));
                return;
            }
        }
        String key = ctx.get(KEY);
        both(ctx, limits.api.acquire(key == null ? ANONYMOUS : key, items - 1),
                limits.apiIp.acquire(address(ctx), items - 1), (byKey, byIp) -> {
                    if (answered(ctx, byKey, byIp)) return;
                    then.run();
                });
    }

    /** Sets the RateLimit fields; answers 429 and returns true when either limit refused. */
    private boolean answered(RoutingContext ctx, Decision byKey, Decision byIp) {
        HttpServerResponse resp = ctx.response();
        resp.headers().set(RATELIMIT_POLICY, apiPolicy).set(RATELIMIT, current(byKey, byIp));
        Decision refused = !byKey.allowed() ? byKey : !byIp.allowed() ? byIp : null;
        if (refused == null) return false;
        long wait = Math.max(byKey.retryAfterSeconds(), byIp.retryAfterSeconds());
        refuse(ctx, RateLimited.by(refused.limit(), who(refused.limit()), wait));
        return true;
    }

    private String who(Limiter l) {
        return l == limits.api ? "this API key" : "your address";
    }

    // ---- authentication ----

    /** Before a key is checked: answers 429 and returns true when this address sent too many wrong keys. */
    boolean refusedBeforeKeyCheck(RoutingContext ctx) {
        if (authPolicy == null) return false;
        long wait = limits.authFailures.refusedFor(address(ctx));
        if (wait == 0) return false;
        ctx.response().headers().set(RATELIMIT_POLICY, authPolicy)
                .set(RATELIMIT, "\"" + limits.authFailures.limit().name() + "\";r=0;t=" + wait);
        refuse(ctx, RateLimited.authFailures(limits.authFailures.limit(), wait));
        return true;
    }

    /** A wrong or missing key: counts it, then runs {@code unauthorized} (the 401), or answers 429 once over the limit. */
    void authFailed(RoutingContext ctx, Runnable unauthorized) {
        if (authPolicy == null) {
            unauthorized.run();
            return;
        }
        then(ctx, limits.authFailures.failed(address(ctx)), d -> {
            ctx.response().headers().set(RATELIMIT_POLICY, authPolicy).set(RATELIMIT, d.header());
            if (d.allowed()) unauthorized.run();
            else refuse(ctx, RateLimited.authFailures(d.limit(), d.retryAfterSeconds()));
        });
    }

    /** A wrong key sent over an open WebSocket: counted like one sent in a header. */
    void authFailed(String clientIp) {
        if (authPolicy != null) limits.authFailures.failed(AddressKeys.of(clientIp));
    }

    // ---- redirects: local buckets only, no I/O ----

    /** True when this redirect may proceed (always, when the limit is off). */
    boolean redirect(HttpServerRequest req) {
        return !redirectOn || limits.redirect.tryAcquire(redirectKey(req));
    }

    /** After {@link #redirect} said no: sets {@code Retry-After} and returns the problem to answer with. */
    RateLimited redirectRefused(HttpServerRequest req) {
        long wait = limits.redirect.retryAfterSeconds(redirectKey(req));
        limits.refused();
        req.response().headers().set(RETRY_AFTER, Long.toString(wait));
        return RateLimited.by(limits.redirect, "your address", wait);
    }

    private String redirectKey(HttpServerRequest req) {
        return proxies.isEmpty() ? PEERS.get().of(req.remoteAddress()) : AddressKeys.of(RequestInfo.clientIp(req, proxies));
    }

    /** The bucket key of a routed request's client address (IPv6 by its /64). */
    private static String address(RoutingContext ctx) {
        return AddressKeys.of(RequestInfo.clientIp(ctx));
    }

    // ---- live feed connects ----

    /** True when this address may open another live connection; otherwise answers 429. */
    boolean liveConnect(RoutingContext ctx) {
        if (limits.live.off()) return true;
        String ip = address(ctx);
        if (limits.live.tryAcquire(ip)) return true;
        refuse(ctx, RateLimited.by(limits.live, "your address", limits.live.retryAfterSeconds(ip)));
        return false;
    }

    // ---- abuse reports (for an unauthenticated endpoint) ----

    /** A route handler: one token per request from the client address's {@code reports} bucket. */
    Handler<RoutingContext> reports() {
        return ctx -> {
            if (reportsPolicy == null) {
                ctx.next();
                return;
            }
            then(ctx, limits.reports.acquire(address(ctx), 1), d -> {
                ctx.response().headers().set(RATELIMIT_POLICY, reportsPolicy).set(RATELIMIT, d.header());
                if (d.allowed()) ctx.next();
                else refuse(ctx, RateLimited.by(d.limit(), "your address", d.retryAfterSeconds()));
            });
        };
    }

    // ---- helpers ----

    private void refuse(RoutingContext ctx, RateLimited p) {
        limits.refused();
        ctx.response().headers().set(RETRY_AFTER, Long.toString(p.retryAfterSeconds()));
        ApiRoutes.sendRefusal(ctx, p); // often before the body was read
    }

    /** Continues on the request's event loop: at once when the answer is there (local buckets), else when it comes. */
    private static void then(RoutingContext ctx, CompletableFuture<Decision> f, java.util.function.Consumer<Decision> next) {
        if (f.isDone()) {
            next.accept(f.join());
            return;
        }
        Context context = ctx.vertx().getOrCreateContext();
        f.whenComplete((d, err) -> context.runOnContext(v -> RequestScope.run(ctx, () -> next.accept(d))));
    }

    private static void both(RoutingContext ctx, CompletableFuture<Decision> a, CompletableFuture<Decision> b,
                             BiConsumer<Decision, Decision> next) {
        if (a.isDone() && b.isDone()) {
            next.accept(a.join(), b.join());
            return;
        }
        Context context = ctx.vertx().getOrCreateContext();
        CompletableFuture.allOf(a, b).whenComplete((v, err) -> context.runOnContext(x -> RequestScope.run(ctx, () -> next.accept(a.join(), b.join()))));
    }

    /** The RateLimit-Policy value of the limits that are on; null when none is. */
    private static String policy(Limiter... ls) {
        StringBuilder sb = new StringBuilder();
        for (Limiter l : ls) {
            if (l.off()) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(l.policy());
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String current(Decision... ds) {
        StringBuilder sb = new StringBuilder();
        for (Decision d : ds) {
            if (d.limit().off()) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(d.header());
        }
        return sb.toString();
    }

    /**
     * The peer's bucket key per connection, remembered per event loop: formatting the address allocates
     * ({@code InetAddress.getHostAddress}), and a keep-alive connection sends many redirects. A
     * connection's {@link SocketAddress} is one object for its life, so identity finds it.
     */
    private static final FastThreadLocal<PeerCache> PEERS = new FastThreadLocal<>() {
        @Override
        protected PeerCache initialValue() {
            return new PeerCache();
        }
    };

    private static final class PeerCache {
        private static final int SLOTS = 256;
        private final SocketAddress[] addresses = new SocketAddress[SLOTS];
        private final String[] texts = new String[SLOTS];

        String of(SocketAddress a) {
            if (a == null) return null;
            int i = System.identityHashCode(a) & (SLOTS - 1);
            if (addresses[i] == a) return texts[i];
            String text = AddressKeys.of(a.hostAddress());
            addresses[i] = a;
            texts[i] = text;
            return text;
        }
    }
}

package dev.kurz.web;

import dev.kurz.analytics.TrustedProxies;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Facts about a routed request that handlers, rate limits and the audit trail share: the client's
 * address (the trusted-proxy chain followed, as for click analytics) and the request id, taken from
 * a well-formed {@code X-Request-Id} or made here, and echoed on the response.
 */
public final class RequestInfo {
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final String CLIENT_IP = "kurz.clientIp";
    private static final String REQUEST_ID = "kurz.requestId";
    private static final String NODE = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private RequestInfo() {}

    /** The client's address in canonical text (the peer when no proxy is trusted); null when unknown. */
    public static String clientIp(RoutingContext ctx) {
        String ip = ctx.get(CLIENT_IP);
        return ip != null ? ip : peer(ctx.request());
    }

    /** This request's id: the caller's {@code X-Request-Id} when well-formed, else one made by this node. */
    public static String requestId(RoutingContext ctx) {
        String id = ctx.get(REQUEST_ID);
        return id != null ? id : newId();
    }

    /** The client address of a request outside the router (the redirect path), following trusted proxies. */
    public static String clientIp(HttpServerRequest req, TrustedProxies proxies) {
        String peer = peer(req);
        if (proxies.isEmpty()) return peer;
        return proxies.clientIp(peer, joined(req, "X-Forwarded-For"), joined(req, "Forwarded"));
    }

    static Handler<RoutingContext> filter(TrustedProxies proxies) {
        return ctx -> {
            HttpServerRequest req = ctx.request();
            String given = req.getHeader(REQUEST_ID_HEADER);
            String id = wellFormed(given) ? given : newId();
            ctx.put(REQUEST_ID, id);
            ctx.put(CLIENT_IP, clientIp(req, proxies));
            ctx.response().putHeader(REQUEST_ID_HEADER, id);
            ctx.next();
        };
    }

    /** 1 to 128 characters of letters, digits and {@code - _ . : /}: safe to log and echo. */
    static boolean wellFormed(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
            if (!ok) return false;
        }
        return true;
    }

    static String newId() {
        return NODE + "-" + Long.toString(SEQUENCE.incrementAndGet(), 36);
    }

    private static String peer(HttpServerRequest req) {
        SocketAddress a = req.remoteAddress();
        return a == null ? null : a.hostAddress();
    }

    private static String joined(HttpServerRequest req, String name) {
        var values = req.headers().getAll(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }
}

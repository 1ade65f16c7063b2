package dev.kurz.web;

import dev.kurz.auth.ApiKeys;
import dev.kurz.auth.Principal;
import dev.kurz.auth.Scope;
import dev.kurz.live.LiveConnection;
import dev.kurz.live.LiveHub;
import dev.kurz.live.Transport;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The live feed: a WebSocket at {@code /api/v1/live} (authenticated by its first message, so the
 * key never appears in a URL or an access log) and the same frames as Server-Sent Events at
 * {@code /api/v1/live/sse} (authenticated like any API call, by header). Links are named by their
 * key, the name frames carry: the slug on the default domain, {@code host/slug} on a branded one.
 */
final class LiveRoutes {
    static final int UNAUTHORIZED = 4401;
    static final int NO_HEARTBEAT = 4000;
    static final long AUTH_TIMEOUT_MS = 5_000;
    static final long PING_EVERY_MS = 30_000;
    /** A link key: a slug (at most 64 characters), or a host name (at most 253), '/' and a slug. */
    static final int MAX_KEY_LENGTH = 253 + 1 + 64;
    /** Messages a client may send before the earlier ones are answered (while its key is checked). */
    static final int MAX_WAITING_MESSAGES = 32;
    static final int TOO_MANY_WAITING = 1008;

    private final LiveHub hub;
    private final ApiKeys keys;
    private final dev.kurz.link.LinkService links;
    private final java.util.concurrent.Executor blocking;
    private final Throttle throttle;

    /** @param links and {@code blocking}: to check that a {@code links:own} key follows only its own links */
    LiveRoutes(LiveHub hub, ApiKeys keys, dev.kurz.link.LinkService links, java.util.concurrent.Executor blocking, Throttle throttle) {
        this.throttle = throttle;
        this.hub = hub;
        this.keys = keys;
        this.links = links;
        this.blocking = blocking;
    }

    /** Before the API's authentication filter: the socket authenticates itself. */
    void mountWebSocket(Router r) {
        r.get("/api/v1/live").handler(ctx -> {
            if (throttle.refusedBeforeKeyCheck(ctx) || !throttle.liveConnect(ctx)) return;
            String ip = RequestInfo.clientIp(ctx);
            ctx.request().toWebSocket()
                    .onSuccess(ws -> attach(ctx.vertx(), ws, ip))
                    .onFailure(e -> {
                        if (!ctx.response().ended()) {
                            Problems.send(ctx.response(), ApiProblems.badRequest(
                                    "/api/v1/live is a WebSocket: connect with a WebSocket client (or use /api/v1/live/sse)"), "/api/v1/live");
                        }
                    });
        });
    }

    /** After the API's authentication filter. */
    void mountSse(Router r) {
        r.get("/api/v1/live/sse").handler(ApiRoutes.scope(Scope.LINKS_READ, this::sse));
    }

    // ---- WebSocket ----

    private void attach(Vertx vertx, ServerWebSocket ws, String clientIp) {
        Context context = vertx.getOrCreateContext();
        Transport t = new StreamTransport(context, ws) {
            @Override
            boolean open() {
                return !ws.isClosed();
            }

            @Override
            public void write(String frame) {
                if (open()) ws.writeTextMessage(frame);
            }

            @Override
            public void close(int code, String reason) {
                if (open()) ws.close((short) code, reason);
            }
        };
        LiveConnection conn = hub.connect(t);
        boolean[] authed = {false};
        Principal[] caller = {null};
        long[] lastPong = {System.currentTimeMillis()};
        long authTimer = vertx.setTimer(AUTH_TIMEOUT_MS, id -> {
            if (!authed[0]) conn.close(UNAUTHORIZED, "send {\"type\":\"auth\",\"key\":\"…\"} within 5 s");
        });
        long pingTimer = vertx.setPeriodic(PING_EVERY_MS, id -> {
            if (System.currentTimeMillis() - lastPong[0] > 2 * PING_EVERY_MS + 5_000) conn.close(NO_HEARTBEAT, "no answer to pings");
            else if (!ws.isClosed()) ws.writePing(Buffer.buffer("kurz"));
        });
        ws.pongHandler(b -> lastPong[0] = System.currentTimeMillis());
        Inbox inbox = new Inbox(MAX_WAITING_MESSAGES, (text, done) -> {
            JsonObject msg;
            try {
                msg = new JsonObject(text);
            } catch (RuntimeException e) {
                conn.send(error("not a JSON object"));
                done.run();
                return;
            }
            String type = msg.getString("type", "");
            if (!authed[0]) {
                if (!type.equals("auth") || !(msg.getValue("key") instanceof String key)) {
                    conn.close(UNAUTHORIZED, "the first message must be {\"type\":\"auth\",\"key\":\"…\"}");
                    return; // never done: nothing after it is handled
                }
                // The key check may go to the database: later messages wait in the inbox until it is done.
                keys.authenticate(key).whenComplete((p, err) -> context.runOnContext(x -> {
                    Optional<Principal> principal = err == null ? p : Optional.empty();
                    if (principal.isPresent() && principal.get().can(Scope.LINKS_READ)) {
                        authed[0] = true;
                        caller[0] = principal.get();
                        conn.authenticatedAs(principal.get().keyId());
                        conn.batchFrames(Boolean.TRUE.equals(msg.getValue("batch")));
                        vertx.cancelTimer(authTimer);
                        conn.send(new JsonObject().put("type", "ready"));
                        done.run();
                    } else {
                        if (principal.isEmpty()) throttle.authFailed(clientIp);
                        conn.close(UNAUTHORIZED, "invalid API key, or it lacks the links:read scope");
                    }
                }));
                return;
            }
            switch (type) {
                case "subscribe", "unsubscribe" -> subscription(context, conn, caller[0], msg, type.equals("subscribe"), done);
                case "ping" -> {
                    conn.send(new JsonObject().put("type", "pong"));
                    done.run();
                }
                default -> {
                    conn.send(error("unknown message type '" + type + "': use subscribe, unsubscribe or ping"));
                    done.run();
                }
            }
        }, () -> conn.close(TOO_MANY_WAITING, "more than " + MAX_WAITING_MESSAGES + " messages sent before the previous ones were answered"));
        ws.closeHandler(v -> {
            inbox.stop();
            vertx.cancelTimer(authTimer);
            vertx.cancelTimer(pingTimer);
            hub.disconnect(conn);
        });
        ws.exceptionHandler(e -> conn.close(1011, "error"));
        ws.textMessageHandler(inbox::offer);
    }

    /** Handles a subscribe or unsubscribe; calls {@code done} once it is answered (a {@code links:own} check answers later). */
    private void subscription(Context context, LiveConnection conn, Principal caller, JsonObject msg, boolean subscribe, Runnable done) {
        List<String> slugs = new ArrayList<>();
        Object links = msg.getValue("links");
        if (links != null) {
            if (!(links instanceof JsonArray a)) {
                conn.send(error("links must be an array of slugs"));
                done.run();
                return;
            }
            for (Object o : a) {
                if (!(o instanceof String s) || s.isEmpty() || s.length() > MAX_KEY_LENGTH) {
                    conn.send(error("links must be an array of slugs (1 to 64 characters; host/slug for a link on a branded domain)"));
                    done.run();
                    return;
                }
                slugs.add(key(s));
            }
        }
        boolean all = Boolean.TRUE.equals(msg.getValue("all"));
        if (slugs.isEmpty() && !all) {
            conn.send(error("name links: {\"type\":\"" + (subscribe ? "subscribe" : "unsubscribe") + "\",\"links\":[\"slug\"]} or \"all\":true"));
            done.run();
            return;
        }
        if (subscribe && caller.ownLinksOnly()) {
            if (all) {
                conn.send(error("this API key has the scope links:own: follow your links by slug, {\"type\":\"subscribe\",\"links\":[\"slug\"]}"));
                done.run();
                return;
            }
            // Others' links are "not found", as over REST; nothing is subscribed unless every slug is the key's.
            blocking.execute(() -> {
                Set<String> visible;
                try {
                    visible = this.links.visibleAmong(slugs, caller.keyId());
                } catch (RuntimeException e) {
                    context.runOnContext(v -> {
                        conn.send(error("could not check the links; try again"));
                        done.run();
                    });
                    return;
                }
                context.runOnContext(v -> {
                    List<String> missing = slugs.stream().filter(sl -> !visible.contains(sl)).toList();
                    if (!missing.isEmpty()) {
                        conn.send(error("no link has the slug '" + missing.get(0) + "'").put("status", 404).put("links", new JsonArray(new ArrayList<Object>(missing))));
                    } else {
                        subscribed(conn, slugs, false, true);
                    }
                    done.run();
                });
            });
            return;
        }
        subscribed(conn, slugs, all, subscribe);
        done.run();
    }

    private void subscribed(LiveConnection conn, List<String> slugs, boolean all, boolean subscribe) {
        if (subscribe) {
            if (!hub.subscribe(conn, slugs, all)) {
                conn.send(error("too many subscriptions: at most " + LiveHub.MAX_SUBSCRIPTIONS + " links per connection"));
                return;
            }
        } else {
            hub.unsubscribe(conn, slugs, all);
        }
        conn.send(new JsonObject().put("type", subscribe ? "subscribed" : "unsubscribed")
                .put("links", new JsonArray(new ArrayList<Object>(slugs))).put("all", all));
    }

    /** What a WebSocket and an event stream share: their event loop, and write-queue backpressure. */
    private abstract static class StreamTransport implements Transport {
        private final Context context;
        private final io.vertx.core.streams.WriteStream<Buffer> stream;

        StreamTransport(Context context, io.vertx.core.streams.WriteStream<Buffer> stream) {
            this.context = context;
            this.stream = stream;
        }

        abstract boolean open();

        @Override
        public void run(Runnable task) {
            context.runOnContext(v -> task.run());
        }

        @Override
        public Object loop() {
            return ((io.vertx.core.internal.ContextInternal) context).nettyEventLoop();
        }

        /**
         * Netty runs its task queue until it is empty, so a task posted from a task runs before any
         * I/O; a scheduled one is taken only at the start of the next round, after the loop has
         * read its sockets.
         */
        @Override
        public void runAfterIo(Runnable task) {
            ((io.vertx.core.internal.ContextInternal) context).nettyEventLoop()
                    .schedule(() -> context.runOnContext(v -> task.run()), 0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        @Override
        public boolean writable() {
            return open() && !stream.writeQueueFull();
        }

        @Override
        public void onWritable(Runnable then) {
            stream.drainHandler(v -> then.run());
        }
    }

    private static JsonObject error(String message) {
        return new JsonObject().put("type", "error").put("message", message);
    }

    // ---- Server-Sent Events ----

    private void sse(RoutingContext ctx) {
        if (!throttle.liveConnect(ctx)) return;
        String linksParam = ctx.request().getParam("links");
        boolean all = "true".equalsIgnoreCase(ctx.request().getParam("all"));
        List<String> slugs = linksParam == null || linksParam.isBlank() ? List.of()
                : Arrays.stream(linksParam.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(LiveRoutes::key).toList();
        if (slugs.isEmpty() && !all) throw ApiProblems.badRequest("name what to follow: ?links=slug1,slug2 or ?all=true");
        if (slugs.size() > LiveHub.MAX_SUBSCRIPTIONS) {
            throw ApiProblems.badRequest("links: at most " + LiveHub.MAX_SUBSCRIPTIONS + " slugs");
        }
        Principal caller = ApiRoutes.principal(ctx);
        if (!caller.ownLinksOnly()) {
            stream(ctx, caller, slugs, all);
            return;
        }
        if (all) Callers.refuseOwnLinksOnly(ctx, "following all links (name them: ?links=slug1,slug2)");
        new Blocking(blocking).run(ctx, () -> links.visibleAmong(slugs, caller.keyId()), visible -> {
            for (String sl : slugs) {
                if (!visible.contains(sl)) throw new dev.kurz.link.LinkNotFoundException(sl);
            }
            stream(ctx, caller, slugs, false);
        });
    }

    private void stream(RoutingContext ctx, Principal caller, List<String> slugs, boolean all) {
        HttpServerResponse resp = ctx.response();
        resp.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("X-Accel-Buffering", "no");
        Vertx vertx = ctx.vertx();
        Context context = vertx.getOrCreateContext();
        boolean[] closed = {false};
        Transport t = new StreamTransport(context, resp) {
            @Override
            boolean open() {
                return !closed[0];
            }

            @Override
            public void write(String frame) {
                if (open()) resp.write("data: " + frame + "\n\n");
            }

            @Override
            public void close(int code, String reason) {
                if (closed[0]) return;
                closed[0] = true;
                resp.end("event: close\ndata: " + new JsonObject().put("code", code).put("reason", reason).encode() + "\n\n");
            }
        };
        LiveConnection conn = hub.connect(t);
        conn.authenticatedAs(caller.keyId());
        hub.subscribe(conn, slugs, all);
        long pingTimer = vertx.setPeriodic(PING_EVERY_MS, id -> {
            if (!closed[0]) resp.write(": ping\n\n");
        });
        Runnable gone = () -> {
            closed[0] = true;
            vertx.cancelTimer(pingTimer);
            hub.disconnect(conn);
        };
        resp.closeHandler(v -> gone.run());
        resp.endHandler(v -> gone.run());
        resp.write(": connected\n\n");
        conn.send(new JsonObject().put("type", "subscribed").put("links", new JsonArray(new ArrayList<Object>(slugs))).put("all", all));
    }

    /** A link key as rooms name it: host names are case-insensitive, so the host part is lower-cased. */
    static String key(String named) {
        int slash = named.indexOf('/');
        return slash < 0 ? named : named.substring(0, slash).toLowerCase(java.util.Locale.ROOT) + named.substring(slash);
    }

}

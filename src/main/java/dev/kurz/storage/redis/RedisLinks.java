package dev.kurz.storage.redis;

import dev.kurz.link.LinkListener;
import dev.kurz.redirect.SharedLinkCache;
import dev.kurz.redirect.Target;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis for a cluster of nodes: the shared second-level link cache, and invalidation messages so
 * an edit on one node reaches every node's in-process cache at once.
 *
 * <p>On a change, the node deletes the shared entry and publishes the slug (every node, itself
 * included, drops it from its local cache on the message); it does both again
 * {@link #SECOND_DELETE} later, because another node may have read the old row from the database
 * just before the commit and written it back to Redis after the first delete. Subscribers drop
 * the slug from their local cache. After the subscription connection drops, messages may have
 * been missed, so on reconnect a node clears its whole local cache. Redis being down never fails
 * a redirect: reads fall back to the database.
 *
 * <p>Every command goes through a {@link RedisGuard} (a deadline each, one circuit breaker). A node
 * also publishes a heartbeat to a channel of its own every {@link #HEARTBEAT}; when its own echo has
 * not come back for {@link #STALE_AFTER} (Redis frozen, the subscription gone), the invalidation
 * channel counts as down and {@link #onInvalidationChannel} is told, so the redirect cache stops
 * trusting entries for long (ADR 0016). Invalidations that could not be sent are kept (up to
 * {@link #MAX_PENDING} slugs) and sent again once the channel is back.
 */
public final class RedisLinks implements SharedLinkCache, LinkListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLinks.class);
    static final String CHANNEL = "kurz:links:changed";
    static final String LIVE_CHANNEL = "kurz:live";
    static final String KEY_PREFIX = "kurz:link:";
    /** The "slug" meaning every link: never a real slug, which is letters, digits, '-' and '_'. */
    static final String ALL = "*";
    static final Duration SECOND_DELETE = Duration.ofMillis(500);
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    /**
     * Four heartbeats without an echo: long enough for a burst of edits queued ahead of them (750 ms
     * was seen under hundreds of concurrent creates), short enough that an edit shows within 2 s.
     */
    static final Duration STALE_AFTER = Duration.ofSeconds(1);
    static final int MAX_PENDING = 10_000;

    private final Vertx vertx;
    private final Redis client;
    private final RedisAPI api;
    private final RedisOptions options;
    private final long ttlMillis;
    private final String nodeId = UUID.randomUUID().toString();
    private final String echoChannel = "kurz:node:" + nodeId;
    private final RedisGuard guard;
    private volatile long lastEcho = System.nanoTime();
    private volatile boolean channelLive = true;
    private volatile Consumer<Boolean> onChannel = live -> {};
    private final java.util.Set<String> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean pendingOverflowed;
    private long heartbeatTimer = -1;
    private volatile Consumer<String> onRemoteChange = slug -> {};
    private volatile Runnable onResync = () -> {};
    private volatile Consumer<io.vertx.core.json.JsonObject> onLive = m -> {};
    private volatile RedisConnection subscriber;
    private volatile boolean closed;

    public RedisLinks(Vertx vertx, String url, Duration ttl) {
        this(vertx, url, ttl, Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    /**
     * @param timeout    the deadline of each command ({@code KURZ_REDIS_TIMEOUT})
     * @param retryAfter how long the breaker keeps Redis out once open ({@code KURZ_REDIS_RETRY_AFTER})
     */
    public RedisLinks(Vertx vertx, String url, Duration ttl, Duration timeout, Duration retryAfter) {
        this.vertx = vertx;
        this.guard = new RedisGuard(timeout, retryAfter);
        this.options = new RedisOptions().setConnectionString(url).setMaxPoolSize(16).setMaxPoolWaiting(1024);
        this.client = Redis.createClient(vertx, options);
        this.api = RedisAPI.api(client);
        this.ttlMillis = ttl.toMillis();
    }

    /** Starts listening for changes; {@code onChange} drops one slug, {@code onResync} everything. */
    public Future<Void> subscribe(Consumer<String> onChange, Runnable onResync) {
        this.onRemoteChange = onChange;
        this.onResync = onResync;
        return connectSubscriber().onSuccess(v -> {
            lastEcho = System.nanoTime();
            heartbeatTimer = vertx.setPeriodic(HEARTBEAT.toMillis(), id -> heartbeat());
        });
    }

    /** Told {@code false} when the invalidation channel goes quiet, {@code true} when it works again. */
    public void onInvalidationChannel(Consumer<Boolean> listener) {
        this.onChannel = listener;
    }

    /** Whether this node's own heartbeat came back through the subscription lately. */
    public boolean invalidationChannelLive() {
        return channelLive;
    }

    private void heartbeat() {
        if (closed) return;
        guard.call(() -> api.publish(echoChannel, "1")).exceptionally(e -> null);
        if (channelLive && System.nanoTime() - lastEcho > STALE_AFTER.toNanos()) channelDown("no heartbeat for " + STALE_AFTER.toMillis() + " ms");
        else if (channelLive && guard.closed() && (pendingOverflowed || !pending.isEmpty())) resend();
        // (closed: Redis answers commands again; live: and its messages reach the nodes)
    }

    private void channelDown(String why) {
        if (!channelLive) return;
        channelLive = false;
        log.warn("redis invalidation channel down ({}): redirect cache entries now live at most 1 s", why);
        onChannel.accept(false);
    }

    private void echoed() {
        lastEcho = System.nanoTime();
        if (channelLive) return;
        channelLive = true;
        log.info("redis invalidation channel back; {} invalidations made meanwhile are sent again once commands go through",
                pending.size());
        onChannel.accept(true);
    }

    /** Invalidations that failed while Redis was away: sent again, so shared entries and other nodes catch up. */
    private void resend() {
        if (pendingOverflowed) {
            pendingOverflowed = false;
            changedAll();
        }
        for (String slug : java.util.List.copyOf(pending)) {
            pending.remove(slug);
            evictAndPublish(slug).exceptionally(e -> {
                remember(slug);
                return null;
            });
        }
    }

    private void remember(String slug) {
        if (pending.size() < MAX_PENDING) pending.add(slug);
        else pendingOverflowed = true;
    }

    private Future<Void> connectSubscriber() {
        return Redis.createClient(vertx, options).connect().compose(conn -> {
            subscriber = conn;
            conn.handler(this::onMessage);
            conn.exceptionHandler(e -> log.warn("redis subscription error: {}", e.getMessage()));
            conn.endHandler(v -> {
                if (closed) return;
                channelDown("subscription lost");
                reconnectLater();
            });
            return conn.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL).arg(LIVE_CHANNEL).arg(echoChannel)).<Void>mapEmpty();
        });
    }

    private void reconnectLater() {
        if (closed) return;
        log.warn("redis subscription lost; reconnecting");
        vertx.setTimer(1000, id -> connectSubscriber()
                .onSuccess(v -> {
                    log.info("redis subscription restored; clearing the local link cache");
                    onResync.run();
                })
                .onFailure(e -> reconnectLater()));
    }

    private void onMessage(Response r) {
        if (r.type() != ResponseType.MULTI && r.type() != ResponseType.PUSH) return;
        if (r.size() < 3 || !"message".equals(r.get(0).toString())) return;
        String payload = r.get(2).toString();
        if (echoChannel.equals(r.get(1).toString())) {
            echoed();
            return;
        }
        if (LIVE_CHANNEL.equals(r.get(1).toString())) {
            try {
                onLive.accept(new io.vertx.core.json.JsonObject(payload));
            } catch (RuntimeException e) {
                log.warn("bad live message: {}", e.toString());
            }
            return;
        }
        int space = payload.indexOf(' ');
        if (space < 0) return;
        String slug = payload.substring(space + 1);
        if (slug.equals(ALL)) onResync.run();
        else onRemoteChange.accept(slug);
    }

    @Override
    public CompletableFuture<Target> get(String slug) {
        return guard.call(() -> api.get(KEY_PREFIX + slug)).handle((r, e) -> {
            if (e != null) {
                log.debug("redis get failed, falling back to the database: {}", e.getMessage());
                return null;
            }
            return r == null ? null : decode(slug, r.toString());
        });
    }

    @Override
    public void put(Target t) {
        guard.call(() -> api.set(List.of(KEY_PREFIX + t.slug(), encode(t), "PX", Long.toString(ttlMillis))))
                .exceptionally(e -> {
                    log.debug("redis set failed: {}", e.getMessage());
                    return null;
                });
    }

    /**
     * Called on a blocking thread after a change is committed: removes the shared entry before
     * returning (so this node's next load cannot find the old one there), then tells every node,
     * this one included; half a second later, once more. When Redis does not answer (within the
     * command deadlines, or at once while the breaker is open) the slug is kept and sent again once
     * the channel is back.
     */
    @Override
    public void changed(String slug) {
        try {
            evictAndPublish(slug).get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            remember(slug);
            return;
        }
        vertx.setTimer(SECOND_DELETE.toMillis(), id -> {
            if (!closed) evictAndPublish(slug).exceptionally(e -> {
                remember(slug);
                return null;
            });
        });
    }

    private CompletableFuture<Void> evictAndPublish(String slug) {
        return guard.callPatiently(() -> api.del(List.of(KEY_PREFIX + slug)))
                .thenCompose(v -> guard.callPatiently(() -> api.publish(CHANNEL, nodeId + " " + slug)))
                .whenComplete((v, e) -> {
                    if (e != null) log.warn("redis invalidation of {} failed (sent again once Redis is back): {}", slug, e.getMessage());
                })
                .thenApply(v -> null);
    }

    /**
     * Tells every node, this one included, to forget every link (a blocklist changed what is
     * blocked). Shared entries stay: they do not carry blocklist verdicts, which each node applies.
     */
    public void changedAll() {
        if (closed) return;
        guard.callPatiently(() -> api.publish(CHANNEL, nodeId + " " + ALL)).exceptionally(e -> {
            log.warn("redis invalidate-all failed (sent again once Redis is back): {}", e.getMessage());
            pendingOverflowed = true;
            return null;
        });
    }

    /** Receives live-dashboard messages other nodes published. */
    public void onLive(Consumer<io.vertx.core.json.JsonObject> handler) {
        this.onLive = handler;
    }

    /** Sends a live-dashboard message to every node (fire and forget: a lost frame is a missed blink). */
    public void publishLive(io.vertx.core.json.JsonObject message) {
        if (closed) return;
        guard.call(() -> api.publish(LIVE_CHANNEL, message.encode())).exceptionally(e -> {
            log.debug("live publish failed: {}", e.getMessage());
            return null;
        });
    }

    /** The command client, for other Redis-backed pieces (visitor salts, rate limits). */
    public RedisAPI api() {
        return api;
    }

    /** The deadline and breaker every command here goes through; other Redis-backed pieces share it. */
    public RedisGuard guard() {
        return guard;
    }

    public CompletableFuture<Void> ping() {
        return guard.call(() -> api.ping(List.of())).thenApply(r -> null);
    }

    /** A compact, versioned string form of a target; the slug is the key so it is not repeated. */
    static String encode(Target t) {
        return "2|" + t.linkId() + "|" + t.status() + "|" + (t.forwardQuery() ? 1 : 0) + "|" + t.expiresAtMillis() + "|" + t.maxClicks()
                + "|" + (t.blocked() ? 1 : 0) + "|" + t.url();
    }

    /** Reads version 2 (with the admin-block flag) and version 1 (written by older nodes: not blocked). */
    static Target decode(String slug, String s) {
        boolean v2 = s.startsWith("2|");
        int fields = v2 ? 8 : 7;
        String[] p = s.split("\\|", fields);
        if (p.length != fields || !(v2 || p[0].equals("1"))) return null;
        try {
            return new Target(Long.parseLong(p[1]), slug, p[fields - 1], Integer.parseInt(p[2]), p[3].equals("1"),
                    Long.parseLong(p[4]), Long.parseLong(p[5]), v2 && p[6].equals("1"));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        guard.close();
        RedisConnection s = subscriber;
        if (s != null) s.close();
        client.close();
    }
}

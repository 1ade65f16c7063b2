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
 */
public final class RedisLinks implements SharedLinkCache, LinkListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLinks.class);
    static final String CHANNEL = "kurz:links:changed";
    static final String LIVE_CHANNEL = "kurz:live";
    static final String KEY_PREFIX = "kurz:link:";
    /** The "slug" meaning every link: never a real slug, which is letters, digits, '-' and '_'. */
    static final String ALL = "*";
    static final Duration SECOND_DELETE = Duration.ofMillis(500);

    private final Vertx vertx;
    private final Redis client;
    private final RedisAPI api;
    private final RedisOptions options;
    private final long ttlMillis;
    private final String nodeId = UUID.randomUUID().toString();
    private volatile Consumer<String> onRemoteChange = slug -> {};
    private volatile Runnable onResync = () -> {};
    private volatile Consumer<io.vertx.core.json.JsonObject> onLive = m -> {};
    private volatile RedisConnection subscriber;
    private volatile boolean closed;

    public RedisLinks(Vertx vertx, String url, Duration ttl) {
        this.vertx = vertx;
        this.options = new RedisOptions().setConnectionString(url).setMaxPoolSize(16).setMaxPoolWaiting(1024);
        this.client = Redis.createClient(vertx, options);
        this.api = RedisAPI.api(client);
        this.ttlMillis = ttl.toMillis();
    }

    /** Starts listening for changes; {@code onChange} drops one slug, {@code onResync} everything. */
    public Future<Void> subscribe(Consumer<String> onChange, Runnable onResync) {
        this.onRemoteChange = onChange;
        this.onResync = onResync;
        return connectSubscriber();
    }

    private Future<Void> connectSubscriber() {
        return Redis.createClient(vertx, options).connect().compose(conn -> {
            subscriber = conn;
            conn.handler(this::onMessage);
            conn.exceptionHandler(e -> log.warn("redis subscription error: {}", e.getMessage()));
            conn.endHandler(v -> reconnectLater());
            return conn.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL).arg(LIVE_CHANNEL)).<Void>mapEmpty();
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
        return api.get(KEY_PREFIX + slug)
                .map(r -> r == null ? null : decode(slug, r.toString()))
                .otherwise(e -> {
                    log.debug("redis get failed, falling back to the database: {}", e.getMessage());
                    return null;
                })
                .toCompletionStage().toCompletableFuture();
    }

    @Override
    public void put(Target t) {
        api.set(List.of(KEY_PREFIX + t.slug(), encode(t), "PX", Long.toString(ttlMillis)))
                .onFailure(e -> log.debug("redis set failed: {}", e.getMessage()));
    }

    /**
     * Called on a blocking thread after a change is committed: removes the shared entry before
     * returning (so this node's next load cannot find the old one there), then tells every node,
     * this one included; half a second later, once more.
     */
    @Override
    public void changed(String slug) {
        try {
            evictAndPublish(slug).toCompletionStage().toCompletableFuture().get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("redis invalidation of {} failed: {}", slug, e.toString());
        }
        vertx.setTimer(SECOND_DELETE.toMillis(), id -> {
            if (!closed) evictAndPublish(slug);
        });
    }

    private Future<Void> evictAndPublish(String slug) {
        return api.del(List.of(KEY_PREFIX + slug))
                .compose(v -> api.publish(CHANNEL, nodeId + " " + slug))
                .onFailure(e -> log.warn("redis invalidation of {} failed: {}", slug, e.getMessage()))
                .mapEmpty();
    }

    /**
     * Tells every node, this one included, to forget every link (a blocklist changed what is
     * blocked). Shared entries stay: they do not carry blocklist verdicts, which each node applies.
     */
    public void changedAll() {
        if (!closed) api.publish(CHANNEL, nodeId + " " + ALL).onFailure(e -> log.warn("redis invalidate-all failed: {}", e.getMessage()));
    }

    /** Receives live-dashboard messages other nodes published. */
    public void onLive(Consumer<io.vertx.core.json.JsonObject> handler) {
        this.onLive = handler;
    }

    /** Sends a live-dashboard message to every node (fire and forget: a lost frame is a missed blink). */
    public void publishLive(io.vertx.core.json.JsonObject message) {
        if (!closed) api.publish(LIVE_CHANNEL, message.encode()).onFailure(e -> log.debug("live publish failed: {}", e.getMessage()));
    }

    /** The command client, for other Redis-backed pieces (visitor salts). */
    public RedisAPI api() {
        return api;
    }

    public CompletableFuture<Void> ping() {
        return api.ping(List.of()).<Void>mapEmpty().toCompletionStage().toCompletableFuture();
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
        RedisConnection s = subscriber;
        if (s != null) s.close();
        client.close();
    }
}

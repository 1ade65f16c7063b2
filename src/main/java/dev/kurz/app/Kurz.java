package dev.kurz.app;

import dev.kurz.analytics.ClickBatcher;
import dev.kurz.analytics.ClickBuffer;
import dev.kurz.auth.ApiKeys;
import dev.kurz.config.KurzConfig;
import dev.kurz.link.LinkListener;
import dev.kurz.link.LinkRules;
import dev.kurz.link.LinkService;
import dev.kurz.link.SlugPermutation;
import dev.kurz.ops.Health;
import dev.kurz.redirect.RedirectCache;
import dev.kurz.redirect.Redirector;
import dev.kurz.redirect.SharedLinkCache;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcStore;
import dev.kurz.storage.redis.RedisLinks;
import dev.kurz.web.WebServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: wires the features in start-up order and takes them down in the reverse,
 * each wait bounded: stop intake (readiness fails, the HTTP servers finish what is in flight),
 * drain clicks, close Redis, Vert.x and the pools.
 */
public final class Kurz implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Kurz.class);

    private final KurzConfig config;
    private final Database db;
    private final ExecutorService blocking;
    private final Vertx vertx;
    private final RedisLinks redis;
    private final ClickBatcher batcher;
    private final Health health;
    private final WebServer web;
    private final RedirectCache cache;
    private final Optional<ApiKeys.Issued> firstKey;
    private final int port;
    private volatile boolean closed;

    private Kurz(KurzConfig config, InstantSource clock) {
        this.config = config;
        this.db = Database.open(config);
        JdbcStore store = new JdbcStore(db);
        this.blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kurz-io-", 0).factory());
        int cores = Runtime.getRuntime().availableProcessors();
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores).setPreferNativeTransport(true));

        ApiKeys keys = new ApiKeys(store, clock, blocking);
        if (config.auth().bootstrapKey() != null) keys.ensure(config.auth().bootstrapKey(), "KURZ_API_KEY");
        this.firstKey = keys.bootstrapIfNone();

        SlugPermutation slugs = new SlugPermutation(store.installationSecret("slug-key", new SecureRandom().nextLong()));
        this.redis = config.redis().enabled() ? new RedisLinks(vertx, config.redis().url(), config.cache().sharedTtl()) : null;
        KurzConfig.Cache c = config.cache();
        this.cache = new RedirectCache(store, redis != null ? redis : SharedLinkCache.NONE, blocking, c.maxLinks(), c.ttl(), c.negativeTtl());
        // With Redis, the shared entry goes first: otherwise this node could reload the old link from it.
        LinkListener listener = redis == null ? cache::invalidate : slug -> {
            redis.changed(slug);
            cache.invalidate(slug);
        };
        LinkService links = new LinkService(store, new LinkRules(config.server().baseUrl().getHost(), clock), slugs, clock, listener);
        if (redis != null) {
            redis.subscribe(cache::invalidate, cache::invalidateAll).toCompletionStage().toCompletableFuture().join();
        }

        ClickBuffer clicks = new ClickBuffer(config.clicks().bufferSize());
        this.batcher = new ClickBatcher(clicks, store::addClicks, config.clicks().flushInterval()).start();

        this.health = new Health().probe("database", () -> CompletableFuture.runAsync(store::ping, blocking));
        if (redis != null) health.probe("redis", redis::ping);

        this.web = new WebServer(vertx, links, keys, health, cache, new Redirector(store, blocking), clicks, clock, blocking,
                config.server().base());
        this.port = web.start(config.server().host(), config.server().port(), cores)
                .toCompletionStage().toCompletableFuture().join();
    }

    /** Starts a node; fails (and releases what it opened) when the database or port cannot be had. */
    public static Kurz start(KurzConfig config, InstantSource clock) {
        return new Kurz(config, clock);
    }

    public int port() {
        return port;
    }

    /** The admin key made on a first start with no keys, to show once. */
    public Optional<ApiKeys.Issued> firstKey() {
        return firstKey;
    }

    /** "epoll" when the native Linux transport is in use, else "nio". */
    public String transport() {
        return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    }

    public long cachedLinks() {
        return cache.size();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Duration grace = config.server().shutdownGrace();
        log.info("shutting down: stop intake, finish requests, drain clicks");
        health.drain();
        await(web.stop().toCompletionStage().toCompletableFuture(), grace, "HTTP servers");
        batcher.close(grace);
        if (redis != null) redis.close();
        await(vertx.close().toCompletionStage().toCompletableFuture(), grace, "Vert.x");
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) log.warn("blocking tasks still running at exit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
        log.info("stopped");
    }

    private static void await(CompletableFuture<?> f, Duration limit, String what) {
        try {
            f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("{} did not stop cleanly within {}: {}", what, limit, e.toString());
        }
    }
}

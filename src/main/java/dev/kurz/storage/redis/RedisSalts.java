package dev.kurz.storage.redis;

import dev.kurz.analytics.VisitorHasher;
import io.vertx.redis.client.RedisAPI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The visitor salt of each day, shared by all nodes through Redis so a visitor who reaches two
 * nodes counts once and meets the same smart-link variant. The salt lives only in Redis and in
 * memory, never beside the click data, so once it expires nobody can recompute which IP made which
 * hash.
 *
 * <p>{@link #saltFor} runs on the redirect path (choosing a variant, on an event loop) and in the
 * batcher, so it only ever reads memory. Today's and tomorrow's salts are loaded at start and
 * refreshed every {@link #REFRESH_EVERY} by a background task, which creates tomorrow's in Redis a
 * day ahead with {@code SET NX} (whoever sets it first, every node then reads the same) and lets it
 * expire at the end of the day after it. So at midnight every node already holds the new day's
 * salt, and a frozen Redis at that moment changes nothing.
 *
 * <p>If a day's salt was never loaded (Redis unreachable since the day before), the node takes a
 * salt of its own at once, logs that once, and asks Redis again in the background: until Redis
 * answers, nodes may disagree (a visitor may count once per node and meet another variant on
 * another node). The refresh then proposes this node's salt with {@code SET NX}; if another node
 * set one first, this node adopts it, and {@link #generation()} tells the hashers to re-key, so
 * that day's visitors seen before and after the switch may count twice on this node. Commands go
 * through the node's {@link RedisGuard} (deadline, breaker).
 */
public final class RedisSalts implements VisitorHasher.SaltSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisSalts.class);
    /** How often today's and tomorrow's salts are checked against Redis: a day ahead, so often enough. */
    public static final Duration REFRESH_EVERY = Duration.ofMinutes(10);
    private static final Duration START_WAIT = Duration.ofSeconds(3);
    private static final String KEY = "kurz:visitor-salt:";

    private final RedisAPI api;
    private final RedisGuard guard;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<LocalDate, byte[]> known = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile Duration every = REFRESH_EVERY;
    private final ScheduledThreadPoolExecutor timer =
            new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("kurz-salts").daemon(true).factory());

    public RedisSalts(RedisAPI api, RedisGuard guard, InstantSource clock) {
        this.api = api;
        this.guard = guard;
        this.clock = clock;
    }

    /** Loads today's and tomorrow's salts (waiting up to 3 s), then refreshes them every {@code every}. */
    public RedisSalts start(Duration every) {
        this.every = every;
        try {
            refresh().get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Logged by refresh; the first click of the day takes this node's own salt and the refresh retries.
        }
        timer.scheduleWithFixedDelay(this::refreshInBackground, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public byte[] saltFor(LocalDate day) {
        byte[] salt = known.get(day);
        if (salt != null) return salt;
        // Not loaded ahead: never wait for Redis here (this may be an event loop). Take our own now.
        byte[] own = newSalt();
        byte[] raced = known.putIfAbsent(day, own);
        if (raced != null) return raced;
        log.warn("visitor salt of {} not loaded from Redis in time: this node uses its own until Redis answers"
                + " (until then nodes may count a visitor once each and show it another variant)", day);
        refreshSoon();
        return own;
    }

    @Override
    public long generation() {
        return generation.get();
    }

    /**
     * Agrees with Redis on today's and tomorrow's salts: proposes the one in memory (or a new one)
     * with {@code SET NX}, reads back what Redis holds and keeps that. Never blocks the caller.
     */
    public CompletableFuture<Void> refresh() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        // Yesterday stays: clicks are hashed a little after they happen.
        known.keySet().removeIf(d -> d.isBefore(today.minusDays(1)));
        return CompletableFuture.allOf(load(today), load(today.plusDays(1))).whenComplete((ok, e) -> {
            if (e == null) {
                if (failing.compareAndSet(true, false)) log.info("visitor salts: Redis answers again, salts agreed");
            } else if (failing.compareAndSet(false, true)) {
                log.warn("visitor salts: Redis did not answer ({}); keeping the salts in memory, retrying every {} s",
                        e.toString(), every.toSeconds());
            }
        });
    }

    private CompletableFuture<Void> load(LocalDate day) {
        String key = KEY + day;
        byte[] mine = known.get(day);
        String proposal = HexFormat.of().formatHex(mine != null ? mine : newSalt());
        // Until the end of the day after: a batch hashed just after midnight still finds it.
        long ttl = Math.max(1, Duration.between(clock.instant(), day.plusDays(2).atStartOfDay(ZoneOffset.UTC)).toSeconds());
        return guard.call(() -> api.set(List.of(key, proposal, "NX", "EX", Long.toString(ttl))))
                .thenCompose(set -> guard.call(() -> api.get(key)))
                .thenAccept(stored -> {
                    if (stored == null) throw new IllegalStateException(key + " missing right after SET NX");
                    adopt(day, HexFormat.of().parseHex(stored.toString()));
                });
    }

    private void adopt(LocalDate day, byte[] shared) {
        byte[] before = known.put(day, shared);
        if (before != null && !Arrays.equals(before, shared)) {
            generation.incrementAndGet();
            log.info("visitor salt of {}: this node's own replaced by the one shared through Redis", day);
        }
    }

    private void refreshSoon() {
        if (!refreshQueued.compareAndSet(false, true)) return;
        try {
            timer.execute(() -> {
                refreshQueued.set(false);
                refreshInBackground();
            });
        } catch (RejectedExecutionException closing) {
            refreshQueued.set(false);
        }
    }

    /** On the timer: a throw would end the schedule, so none escapes (refresh logs its failures). */
    private void refreshInBackground() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("visitor salts: refresh failed: {}", e.toString());
        }
    }

    private byte[] newSalt() {
        byte[] salt = new byte[32];
        random.nextBytes(salt);
        return salt;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

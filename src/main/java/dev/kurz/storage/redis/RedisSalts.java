package dev.kurz.storage.redis;

import dev.kurz.analytics.VisitorHasher;
import io.vertx.redis.client.RedisAPI;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The visitor salt of each day, shared by all nodes through Redis so a visitor who reaches two
 * nodes counts once. The salt lives only in Redis (48 h) and in memory, never beside the click
 * data, so once it expires nobody can recompute which IP made which hash. If Redis cannot be
 * reached, the node falls back to a salt of its own (uniques may then count a visitor once per
 * node for that day). Commands go through the node's {@link RedisGuard}: while its breaker is open
 * the fallback is taken at once instead of after the 2 s waits.
 */
public final class RedisSalts implements VisitorHasher.SaltSource {
    private static final Logger log = LoggerFactory.getLogger(RedisSalts.class);
    private final RedisAPI api;
    private final SecureRandom random = new SecureRandom();
    private final Map<LocalDate, byte[]> known = new ConcurrentHashMap<>();
    private final VisitorHasher.SaltSource fallback;
    private final RedisGuard guard;

    public RedisSalts(RedisAPI api, RedisGuard guard) {
        this.api = api;
        this.guard = guard;
        this.fallback = VisitorHasher.SaltSource.inMemory(random);
    }

    @Override
    public byte[] saltFor(LocalDate day) {
        byte[] salt = known.get(day);
        if (salt != null) return salt;
        String key = "kurz:visitor-salt:" + day;
        byte[] mine = new byte[32];
        random.nextBytes(mine);
        try {
            guard.call(() -> api.set(List.of(key, HexFormat.of().formatHex(mine), "NX", "EX", Long.toString(TimeUnit.HOURS.toSeconds(48)))))
                    .get(2, TimeUnit.SECONDS);
            String stored = guard.call(() -> api.get(key)).get(2, TimeUnit.SECONDS).toString();
            salt = HexFormat.of().parseHex(stored);
            known.keySet().removeIf(d -> d.isBefore(day.minusDays(1)));
            known.put(day, salt);
            return salt;
        } catch (Exception e) {
            // Remembered for the day: asking Redis again for every click would stall the batcher.
            log.warn("visitor salt from Redis unavailable, using this node's own for {}: {}", day, e.toString());
            salt = fallback.saltFor(day);
            known.put(day, salt);
            return salt;
        }
    }
}

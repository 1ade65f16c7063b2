package dev.kurz.live;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes live connections whose API key was revoked, on any node: every {@code interval} it asks
 * the store, in one query, which of the keys behind this node's open connections are revoked.
 * That holds without Redis and for keys revoked from the command line; with Redis, a revocation
 * also reaches every node at once (see {@link LiveHub#keyRevoked}).
 */
public final class RevokedKeySweep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevokedKeySweep.class);
    private final LiveHub hub;
    private final Function<Collection<Long>, Set<Long>> revokedAmong;
    private final ScheduledExecutorService timer;

    /** @param revokedAmong blocking: of these key ids, the revoked ones */
    public RevokedKeySweep(LiveHub hub, Function<Collection<Long>, Set<Long>> revokedAmong, Duration interval) {
        this.hub = hub;
        this.revokedAmong = revokedAmong;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kurz-key-sweep").daemon(true).factory());
        timer.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass; returns how many connections it closed. */
    int sweep() {
        try {
            Set<Long> ids = hub.keyIds();
            if (ids.isEmpty()) return 0;
            int closed = 0;
            for (long id : revokedAmong.apply(ids)) closed += hub.closeKey(id);
            if (closed > 0) log.info("closed {} live connection(s) of revoked API keys", closed);
            return closed;
        } catch (RuntimeException e) {
            // The next pass tries again; meanwhile the connections stay as they were.
            log.warn("revoked-key sweep failed: {}", e.toString());
            return 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package dev.kurz.ratelimit;

import dev.kurz.config.Rate;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * One named limit ({@code api}, {@code redirect}…): a token bucket per key, holding
 * {@code rate.tokens()} and refilling them evenly over {@code rate.window()}. Its buckets live in
 * this process, or, when it is shared and there is a {@link SharedBuckets}, in Redis for every node,
 * with this process's buckets as the fallback while Redis does not answer.
 */
public final class Limiter {
    private final String name;
    private final Rate rate;
    private final BucketConfiguration config;
    private final LocalBuckets local;
    private final SharedBuckets shared;
    private final String policy;
    private final io.github.bucket4j.TimeMeter meter;
    private volatile Cells cells;
    /** Addresses a window of the redirect limit keeps apart; past it the least indebted share a slot's fate (Cells). */
    static final int CELLS = 1 << 17;

    private Limiter(String name, Rate rate, InstantSource clock, SharedBuckets shared) {
        this.name = name;
        this.rate = rate;
        this.shared = shared;
        if (rate.off()) {
            this.config = null;
            this.local = null;
        } else {
            this.config = BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(rate.tokens()).refillGreedy(rate.tokens(), rate.window()).build())
                    .build();
            this.local = new LocalBuckets(config, rate.window(), Clocks.meter(clock));
        }
        this.meter = Clocks.meter(clock);
        this.policy = '"' + name + "\";q=" + rate.tokens() + ";w=" + rate.windowSeconds();
    }

    /** A limit kept by this node alone. */
    public static Limiter local(String name, Rate rate, InstantSource clock) {
        return new Limiter(name, rate, clock, null);
    }

    /** A limit every node shares through {@code shared} (null: there is no Redis, so this node's alone). */
    public static Limiter shared(String name, Rate rate, InstantSource clock, SharedBuckets shared) {
        return new Limiter(name, rate, clock, shared);
    }

    public String name() {
        return name;
    }

    public Rate rate() {
        return rate;
    }

    public boolean off() {
        return rate.off();
    }

    /** The RateLimit-Policy field item, e.g. {@code "api";q=600;w=60}. */
    public String policy() {
        return policy;
    }

    /**
     * Takes one token from {@code key}'s local bucket: no I/O, no wait, no allocation (redirects; its
     * buckets are {@link Cells}, not those of {@link #acquire}). Always true when off.
     */
    public boolean tryAcquire(String key) {
        return local == null || cells().tryAcquire(key == null ? "" : key);
    }

    /** After {@link #tryAcquire} said no: whole seconds until a token is back, at least 1. */
    public long retryAfterSeconds(String key) {
        if (local == null) return 0;
        return Math.max(1, Decision.seconds(cells().nanosToWait(key == null ? "" : key)));
    }

    /** Made on first use: only the redirect limit takes this path, and its table is 2 MB. */
    private Cells cells() {
        Cells c = cells;
        if (c == null) {
            synchronized (this) {
                c = cells;
                if (c == null) cells = c = new Cells(rate.tokens(), rate.window().toNanos(), CELLS, meter);
            }
        }
        return c;
    }

    /**
     * Takes {@code tokens} from {@code key}'s bucket, all or none: from the shared bucket when this
     * limit is shared, else (or when Redis fails or is slow) from the local one. Completes at once
     * when local; never fails.
     */
    public CompletableFuture<Decision> acquire(String key, long tokens) {
        if (off()) return CompletableFuture.completedFuture(new Decision(this, true, Long.MAX_VALUE, 0, 0));
        String k = key == null ? "" : key;
        if (shared == null) return CompletableFuture.completedFuture(acquireLocal(k, tokens));
        return shared.tryConsume(name + ":" + k, config, tokens)
                .handle((probe, err) -> err == null ? decision(probe) : acquireLocal(k, tokens));
    }

    Decision acquireLocal(String key, long tokens) {
        return decision(local.tryConsume(key, tokens));
    }

    private Decision decision(ConsumptionProbe p) {
        boolean ok = p.isConsumed();
        long retry = ok ? 0 : Math.max(1, Decision.seconds(p.getNanosToWaitForRefill()));
        return new Decision(this, ok, Math.max(0, p.getRemainingTokens()), Decision.seconds(p.getNanosToWaitForReset()), retry);
    }

    @Override
    public String toString() {
        return name + "=" + rate;
    }
}

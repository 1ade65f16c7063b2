package dev.kurz.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.function.Function;

/**
 * One limit's buckets in this process, one per key (a client address, a key id), in a bounded
 * Caffeine map. A bucket left alone for a whole window has refilled completely, so it is
 * dropped then: a new one would be identical. Bucket4j's lock-free buckets copy their small
 * state on each consume; a hit in the map allocates nothing more.
 */
final class LocalBuckets {
    /** Enough for every address active within a window on a busy node; beyond it the least recent go first. */
    static final int MAX_KEYS = 200_000;

    private final Cache<String, Bucket> buckets;
    private final Function<String, Bucket> create;

    LocalBuckets(BucketConfiguration config, Duration window, TimeMeter time) {
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_KEYS)
                .expireAfterAccess(window.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : window)
                .executor(Runnable::run) // maintenance inline: cheaper than a hand-off per write (docs/BENCHMARKS.md)
                .build();
        this.create = key -> Bucket.builder()
                .addLimit(config.getBandwidths()[0])
                .withCustomTimePrecision(time)
                .build();
    }

    /** Takes one token if there is one: the fast path, one map lookup and one compare-and-set. */
    boolean tryConsume(String key) {
        return buckets.get(key, create).tryConsume(1);
    }

    ConsumptionProbe tryConsume(String key, long tokens) {
        return buckets.get(key, create).tryConsumeAndReturnRemaining(tokens);
    }

    /** Nanoseconds until one token is back for {@code key} (0 when there is one now). */
    long nanosToWait(String key) {
        Bucket b = buckets.getIfPresent(key);
        if (b == null) return 0;
        var probe = b.estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill();
    }

    long size() {
        return buckets.estimatedSize();
    }
}

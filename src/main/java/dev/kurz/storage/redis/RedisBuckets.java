package dev.kurz.storage.redis;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bucket4j's distributed buckets in Redis over Kurz's own Vert.x Redis client (no second client):
 * Bucket4j reads a bucket's state, computes the new one here, and writes it back with a Lua
 * compare-and-swap that fails when another node wrote in between, in which case Bucket4j
 * retries. States are stored base64 encoded (our command API speaks strings) and expire once the
 * bucket would have refilled anyway. Deadlines and the fallback to local buckets are the
 * caller's ({@code ratelimit.SharedBuckets}).
 */
public final class RedisBuckets extends AbstractCompareAndSwapBasedProxyManager<String> {
    /** Writes ARGV[2] (with a PX of ARGV[3] when positive) if the key holds ARGV[1], or is absent and ARGV[1] is empty. */
    static final String CAS = """
            local current = redis.call('get', KEYS[1])
            if (current == false and ARGV[1] == '') or current == ARGV[1] then
              if tonumber(ARGV[3]) > 0 then
                redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
              else
                redis.call('set', KEYS[1], ARGV[2])
              end
              return 1
            end
            return 0""";
    private static final Duration KEEP_AFTER_REFILL = Duration.ofSeconds(10);

    private final RedisAPI redis;
    private final ExpirationAfterWriteStrategy expiry;

    public RedisBuckets(RedisAPI redis, TimeMeter time) {
        super(ClientSideConfig.getDefault()
                .withClientClock(time)
                .withExpirationAfterWriteStrategy(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_REFILL)));
        this.redis = redis;
        this.expiry = ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_REFILL);
    }

    @Override
    protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
        return new AsyncCompareAndSwapOperation() {
            @Override
            public CompletableFuture<Optional<byte[]>> getStateData(Optional<Long> timeoutNanos) {
                return within(redis.get(key).map(r -> Optional.ofNullable(decode(r))).toCompletionStage().toCompletableFuture(), timeoutNanos);
            }

            @Override
            public CompletableFuture<Boolean> compareAndSwap(byte[] originalData, byte[] newData, RemoteBucketState newState,
                                                             Optional<Long> timeoutNanos) {
                long ttl = expiry.calculateTimeToLiveMillis(newState, currentTimeNanos());
                List<String> args = List.of(CAS, "1", key, originalData == null ? "" : encode(originalData), encode(newData),
                        Long.toString(Math.max(ttl, 0)));
                return within(redis.eval(args).map(r -> r != null && r.toInteger() == 1).toCompletionStage().toCompletableFuture(), timeoutNanos);
            }
        };
    }

    @Override
    protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
        AsyncCompareAndSwapOperation async = beginAsyncCompareAndSwapOperation(key);
        return new CompareAndSwapOperation() {
            @Override
            public Optional<byte[]> getStateData(Optional<Long> timeoutNanos) {
                return async.getStateData(timeoutNanos).join();
            }

            @Override
            public boolean compareAndSwap(byte[] originalData, byte[] newData, RemoteBucketState newState, Optional<Long> timeoutNanos) {
                return async.compareAndSwap(originalData, newData, newState, timeoutNanos).join();
            }
        };
    }

    @Override
    public void removeProxy(String key) {
        removeAsync(key).join();
    }

    @Override
    protected CompletableFuture<Void> removeAsync(String key) {
        return redis.del(List.of(key)).<Void>mapEmpty().toCompletionStage().toCompletableFuture();
    }

    @Override
    public boolean isAsyncModeSupported() {
        return true;
    }

    @Override
    public boolean isExpireAfterWriteSupported() {
        return true;
    }

    private static <T> CompletableFuture<T> within(CompletableFuture<T> f, Optional<Long> timeoutNanos) {
        return timeoutNanos.isPresent() ? f.orTimeout(timeoutNanos.get(), TimeUnit.NANOSECONDS) : f;
    }

    private static String encode(byte[] state) {
        return Base64.getEncoder().encodeToString(state);
    }

    private static byte[] decode(Response r) {
        return r == null ? null : Base64.getDecoder().decode(r.toString());
    }
}

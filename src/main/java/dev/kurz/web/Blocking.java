package dev.kurz.web;

import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs blocking work (JDBC) on a virtual thread and continues on the request's event loop. One
 * deadline ({@code KURZ_DB_TIMEOUT}) per request, counted from its first wait here: the key look-up
 * and the handler's work share it, and once it has passed the request answers 503, whatever the
 * work is stuck on. The work itself is not interrupted: the driver's own timeouts end it, and its
 * late result is dropped.
 */
final class Blocking {
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
    private static final String STARTED = "kurz.db.waitStarted";
    private final Executor executor;
    private final long deadlineMillis;

    Blocking(Executor executor) {
        this(executor, DEFAULT_DEADLINE);
    }

    Blocking(Executor executor, Duration deadline) {
        this.executor = executor;
        this.deadlineMillis = deadline.toMillis();
    }

    <T> void run(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        Context context = ctx.vertx().getOrCreateContext();
        AtomicBoolean settled = new AtomicBoolean();
        long timer = ctx.vertx().setTimer(remainingMillis(ctx), id -> {
            if (settled.compareAndSet(false, true)) ctx.fail(expired());
        });
        // Both hops keep the request's log context (request id) and trace: the MDC is per thread.
        executor.execute(RequestScope.wrap(ctx, () -> {
            T result;
            try {
                result = work.call();
            } catch (Throwable e) {
                context.runOnContext(v -> RequestScope.run(ctx, () -> {
                    if (!settle(ctx, settled, timer)) return;
                    ctx.fail(e);
                }));
                return;
            }
            context.runOnContext(v -> RequestScope.run(ctx, () -> {
                if (!settle(ctx, settled, timer)) return;
                try {
                    then.accept(result);
                } catch (RuntimeException e) {
                    ctx.fail(e);
                }
            }));
        }));
    }

    /** The same future, failing with a {@link TimeoutException} once the request's deadline passed (the original is left alone). */
    <T> CompletableFuture<T> bounded(RoutingContext ctx, CompletableFuture<T> f) {
        return f.isDone() ? f : f.copy().orTimeout(remainingMillis(ctx), TimeUnit.MILLISECONDS);
    }

    private long remainingMillis(RoutingContext ctx) {
        long now = System.nanoTime();
        Long started = ctx.get(STARTED);
        if (started == null) {
            ctx.put(STARTED, now);
            return deadlineMillis;
        }
        return Math.max(1, deadlineMillis - TimeUnit.NANOSECONDS.toMillis(now - started));
    }

    private static boolean settle(RoutingContext ctx, AtomicBoolean settled, long timer) {
        if (!settled.compareAndSet(false, true)) return false;
        ctx.vertx().cancelTimer(timer);
        return true;
    }

    private TimeoutException expired() {
        return new TimeoutException("no answer within " + deadlineMillis + " ms (KURZ_DB_TIMEOUT)");
    }
}

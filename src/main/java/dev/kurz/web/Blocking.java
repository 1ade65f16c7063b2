package dev.kurz.web;

import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** Runs blocking work (JDBC) on a virtual thread and continues on the request's event loop. */
final class Blocking {
    private final Executor executor;

    Blocking(Executor executor) {
        this.executor = executor;
    }

    <T> void run(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        Context context = ctx.vertx().getOrCreateContext();
        // Both hops keep the request's log context (request id) and trace: the MDC is per thread.
        executor.execute(RequestScope.wrap(ctx, () -> {
            T result;
            try {
                result = work.call();
            } catch (Throwable e) {
                context.runOnContext(v -> RequestScope.run(ctx, () -> ctx.fail(e)));
                return;
            }
            context.runOnContext(v -> RequestScope.run(ctx, () -> {
                try {
                    then.accept(result);
                } catch (RuntimeException e) {
                    ctx.fail(e);
                }
            }));
        }));
    }
}

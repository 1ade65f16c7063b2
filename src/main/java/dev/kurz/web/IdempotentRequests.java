package dev.kurz.web;

import dev.kurz.idempotency.Idempotency;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Idempotency-Key} header on the routes that create links. Without the header a
 * request runs as it always did. With it, the key is claimed first (on a virtual thread): a key
 * already answered is answered again from storage, byte for byte, with
 * {@code Idempotent-Replayed: true}; a key used with another body is 422, a key whose first request
 * still runs is 409 with {@code Retry-After}. A claimed request runs its handler, which finds the
 * claim with {@link #claim} and stores its answer in the same transaction as its links. When the
 * request fails, the key is released before the problem is sent ({@link #releaseOnFailure}), so
 * an immediate retry runs again; a request that ends otherwise unanswered (the client left)
 * releases it afterwards.
 */
final class IdempotentRequests {
    static final String HEADER = "Idempotency-Key";
    private static final Logger log = LoggerFactory.getLogger(IdempotentRequests.class);
    private static final String CLAIM = "kurz.idempotency.claim";
    private static final String SETTLED = "kurz.idempotency.settled";

    private final Idempotency idempotency;
    private final Executor executor;
    private final Blocking blocking;

    /** @param idempotency null: the header is ignored (tests that wire routes without storage) */
    IdempotentRequests(Idempotency idempotency, Executor executor) {
        this.idempotency = idempotency;
        this.executor = executor;
        this.blocking = new Blocking(executor);
    }

    Handler<RoutingContext> wrap(Handler<RoutingContext> handler) {
        return ctx -> {
            String raw = ctx.request().getHeader(HEADER);
            if (raw == null || idempotency == null) {
                handler.handle(ctx);
                return;
            }
            String key = Idempotency.parseKey(raw);
            Long keyId = Callers.keyId(ctx);
            long owner = keyId == null ? 0 : keyId;
            Buffer body = ctx.body().buffer();
            String hash = Idempotency.hash(ctx.request().method().name(), ctx.request().path(), body == null ? new byte[0] : body.getBytes());
            blocking.run(ctx, () -> {
                try {
                    return idempotency.begin(owner, key, hash);
                } catch (Idempotency.InUseException e) {
                    return e;
                }
            }, start -> {
                if (start instanceof Idempotency.InUseException busy) {
                    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(busy.retryAfterSeconds()));
                    ctx.fail(busy);
                } else if (start instanceof Idempotency.Replay r) {
                    if (r.location() != null) ctx.response().putHeader(HttpHeaders.LOCATION, r.location());
                    ctx.response().setStatusCode(r.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .putHeader("Idempotent-Replayed", "true").end(r.body());
                } else {
                    Idempotency.Claim claim = (Idempotency.Claim) start;
                    ctx.put(CLAIM, claim);
                    ctx.addEndHandler(done -> {
                        if (!Boolean.TRUE.equals(ctx.get(SETTLED))) executor.execute(() -> release(claim));
                    });
                    handler.handle(ctx);
                }
            });
        };
    }

    /** The claim this request holds, or null when it came without an idempotency key. */
    static Idempotency.Claim claim(RoutingContext ctx) {
        return ctx.get(CLAIM);
    }

    /** Marks the answer as stored with the links: the claim stays (as the answer) when the request ends. */
    static void stored(RoutingContext ctx) {
        ctx.put(SETTLED, true);
    }

    /** The routes' failure handler: gives the key back, then lets the problem be sent. */
    void releaseOnFailure(RoutingContext ctx) {
        Idempotency.Claim claim = claim(ctx);
        if (claim == null || Boolean.TRUE.equals(ctx.get(SETTLED))) {
            ctx.next();
            return;
        }
        ctx.put(SETTLED, true);
        blocking.run(ctx, () -> {
            release(claim);
            return true;
        }, released -> ctx.next());
    }

    private static void release(Idempotency.Claim claim) {
        try {
            claim.release();
        } catch (RuntimeException e) {
            // The claim then waits out its lease before a retry may take it over.
            log.warn("could not release an idempotency key after a failed request: {}", e.toString());
        }
    }
}

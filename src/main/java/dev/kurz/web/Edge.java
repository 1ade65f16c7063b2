package dev.kurz.web;

import dev.kurz.audit.Actor;
import dev.kurz.auth.ApiKeys;
import dev.kurz.auth.Principal;
import dev.kurz.auth.Scope;
import dev.kurz.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What an adapter at the edge (the compatible APIs in {@code dev.kurz.compat.*}) needs from the
 * HTTP layer, so it keeps the same order and defences as {@code /api/v1}: authenticate before a
 * body is read (the body waits, paused), the auth-failure and API rate limits, the database
 * deadline, the caller's scopes and link visibility. The adapter translates; errors it answers in
 * its own format from {@link #problemOf}.
 */
public final class Edge {
    static final String PRINCIPAL = "kurz.principal";

    /** A compatible API: mounts its routes with what the edge offers. */
    public interface Module {
        void mount(Router router, Edge edge);
    }

    private final ApiKeys keys;
    private final Blocking blocking;
    private final Throttle throttle;
    private final String base;
    private final List<String> corsOrigins;

    Edge(ApiKeys keys, Blocking blocking, Throttle throttle, String base, List<String> corsOrigins) {
        this.keys = keys;
        this.blocking = blocking;
        this.throttle = throttle;
        this.base = base;
        this.corsOrigins = corsOrigins;
    }

    /** The base URL of short links, without a trailing slash. */
    public String base() {
        return base;
    }

    /**
     * Checks {@code key} (null: none sent) before anything of the body is read; continues with
     * {@code ctx.next()} for a valid key, else runs {@code unauthorized} (unless the auth-failure
     * limit answers 429 first).
     */
    public void authenticate(RoutingContext ctx, String key, Runnable unauthorized) {
        // The body waits, paused, while the key and the limits are checked; a body handler resumes it.
        if (ApiRoutes.hasBody(ctx.request())) ctx.request().pause();
        if (throttle.refusedBeforeKeyCheck(ctx)) return;
        CompletableFuture<Optional<Principal>> f = blocking.bounded(ctx, keys.authenticate(key == null ? null : key.strip()));
        if (f.isDone() && !f.isCompletedExceptionally()) {
            admit(ctx, f.join(), unauthorized);
            return;
        }
        var context = ctx.vertx().getOrCreateContext();
        f.whenComplete((p, err) -> context.runOnContext(v -> RequestScope.run(ctx, () -> {
            if (err != null) ctx.fail(err);
            else admit(ctx, p, unauthorized);
        })));
    }

    private void admit(RoutingContext ctx, Optional<Principal> principal, Runnable unauthorized) {
        if (principal.isEmpty()) {
            throttle.authFailed(ctx, unauthorized);
            return;
        }
        ctx.put(PRINCIPAL, principal.get());
        ctx.next();
    }

    /** A route handler after {@link #authenticate}: the API rate limits of the caller's key and address. */
    public void throttle(RoutingContext ctx) {
        throttle.api(ctx, ctx.get(PRINCIPAL));
    }

    /** A route handler that reads a body of at most the API's limit (after authentication), form bodies into the parameters. */
    public Handler<RoutingContext> body() {
        Handler<RoutingContext> reader = BodyHandler.create(false).setBodyLimit(ApiRoutes.BODY_LIMIT).setHandleFileUploads(false);
        // A request without a body may have ended while its key was checked: nothing to read, and Vert.x's reader would refuse it.
        return ctx -> {
            if (ApiRoutes.hasBody(ctx.request())) reader.handle(ctx);
            else ctx.next();
        };
    }

    /** The body as a JSON object (an empty body is an empty object); a 400 problem when it is not one. */
    public static JsonObject json(RoutingContext ctx) {
        Buffer b = ctx.body() == null ? null : ctx.body().buffer();
        return b == null || b.length() == 0 ? new JsonObject() : StrictJson.object(b);
    }

    /** A route handler that runs {@code handler} only for a caller with {@code scope} (else a 403 problem). */
    public static Handler<RoutingContext> scoped(Scope scope, Handler<RoutingContext> handler) {
        return ApiRoutes.scope(scope, handler);
    }

    /** What failed a request, unwrapped from the futures it passed through. */
    public static Throwable failure(RoutingContext ctx) {
        Throwable err = ctx.failure();
        while (err instanceof java.util.concurrent.CompletionException && err.getCause() != null) err = err.getCause();
        return err;
    }

    /** Answers JSON (see {@link #send}). */
    public static void json(RoutingContext ctx, int status, JsonObject body) {
        send(ctx, status, "application/json", body.encode());
    }

    /** Throws a 403 problem unless the caller has {@code scope}. */
    public static void require(RoutingContext ctx, Scope scope) {
        Principal p = ctx.get(PRINCIPAL);
        if (p == null || !p.can(scope)) throw ApiProblems.forbidden(scope.label());
    }

    /** The key id a caller limited to its own links sees, else null (every link). */
    public static Long visibleTo(RoutingContext ctx) {
        return Callers.linksVisibleTo(ctx);
    }

    /** The key id that creates links in this request. */
    public static Long keyId(RoutingContext ctx) {
        return Callers.keyId(ctx);
    }

    /** Who acts, for the audit trail (read on the event loop). */
    public static Actor actor(RoutingContext ctx) {
        return Callers.actor(ctx);
    }

    /** Runs blocking work on a virtual thread under the request's database deadline, then {@code then} on the event loop. */
    public <T> void run(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        blocking.run(ctx, work, then);
    }

    /**
     * CORS for an API whose key travels in a header: any origin, unless {@code KURZ_CORS_ORIGINS}
     * names some (then only those). Preflights are answered here with 204.
     */
    public Handler<RoutingContext> cors() {
        return new Cors(corsOrigins.isEmpty() ? List.of("*") : corsOrigins)::handle;
    }

    /**
     * The failure of a routed request as a problem with a Kurz type (the adapter maps it to its own
     * format), or null when the client went away and nothing is to be answered. Unexpected errors
     * are logged with a request id, as on {@code /api/v1}.
     */
    public static ProblemException problemOf(RoutingContext ctx) {
        return ApiRoutes.problemOf(ctx, ApiRoutes.BODY_LIMIT);
    }

    /** The request id that a 5xx answer names. */
    public static String requestId(RoutingContext ctx) {
        return RequestInfo.requestId(ctx);
    }

    /**
     * Ends the answer; a request refused before its body was read is answered with
     * {@code Connection: close} and its body drained or cut, as on {@code /api/v1}.
     */
    public static void send(RoutingContext ctx, int status, String contentType, String body) {
        ApiRoutes.answer(ctx, resp -> {
            resp.setStatusCode(status);
            if (contentType != null) resp.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
            return body == null ? resp.end() : resp.end(body);
        });
    }

    /** True for methods that carry a body to read. */
    public static boolean writes(HttpMethod m) {
        return m == HttpMethod.POST || m == HttpMethod.PATCH || m == HttpMethod.PUT || m == HttpMethod.DELETE;
    }
}

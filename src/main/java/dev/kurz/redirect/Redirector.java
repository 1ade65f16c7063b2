package dev.kurz.redirect;

import dev.kurz.link.LinkStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The redirect decision for a cached target at a given time; free of HTTP types so it tests plainly. */
public final class Redirector {
    /** What a request for a slug gets. */
    public enum Outcome {
        REDIRECT,
        NOT_FOUND,
        EXPIRED,
        /** Reached its click limit. */
        EXHAUSTED,
        /** Has a click limit: the store must count this click before it may redirect. */
        COUNT_FIRST,
        /** Disabled as unsafe: blocked by an admin, or its destination is on a blocklist. */
        BLOCKED
    }

    private final LinkStore store;
    private final Executor blocking;

    public Redirector(LinkStore store, Executor blocking) {
        this.store = store;
        this.blocking = blocking;
    }

    public static Outcome decide(Target t, long nowMillis) {
        if (t.missing()) return Outcome.NOT_FOUND;
        if (t.blocked()) return Outcome.BLOCKED;
        if (nowMillis >= t.expiresAtMillis()) return Outcome.EXPIRED;
        if (t.exhausted()) return Outcome.EXHAUSTED;
        return t.limited() ? Outcome.COUNT_FIRST : Outcome.REDIRECT;
    }

    /** Counts one click of a limited link in the store; true when it was under the limit. */
    public CompletableFuture<Boolean> count(Target t) {
        return CompletableFuture.supplyAsync(() -> store.consumeClick(t.linkId()), blocking);
    }

    /** Whether a limited link is still under its limit, without counting (for HEAD requests). */
    public CompletableFuture<Boolean> underLimit(Target t) {
        return CompletableFuture.supplyAsync(() -> store.find(t.slug()) // the key
                .map(l -> l.maxClicks() == null || l.clicks() < l.maxClicks())
                .orElse(false), blocking);
    }

    /**
     * The Location for a request: the destination, with the request's query appended when the link
     * forwards queries (before any fragment, joined with {@code &} when the destination has a query).
     */
    public static String location(Target t, String query) {
        return location(t.url(), t.forwardQuery() ? query : null);
    }

    /** {@code url} with {@code query} appended (none when null or empty), before any fragment. */
    public static String location(String url, String query) {
        if (query == null || query.isEmpty()) return url;
        int hash = url.indexOf('#');
        String base = hash < 0 ? url : url.substring(0, hash);
        String fragment = hash < 0 ? "" : url.substring(hash);
        char joiner = base.indexOf('?') < 0 ? '?' : (base.endsWith("?") || base.endsWith("&") ? 0 : '&');
        StringBuilder sb = new StringBuilder(url.length() + query.length() + 1).append(base);
        if (joiner != 0) sb.append(joiner);
        return sb.append(query).append(fragment).toString();
    }
}

package dev.kurz.web;

import dev.kurz.ops.RedirectTimers;
import dev.kurz.ops.RedirectTimers.Outcome;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the redirect path reports about itself: its latency by outcome ({@link RedirectTimers}).
 * With timing off, {@link #start} reads no clock and {@link #done} returns at its first test.
 */
final class RedirectObserver {
    static final RedirectObserver OFF = new RedirectObserver(RedirectTimers.OFF);

    private final RedirectTimers timers;

    RedirectObserver(RedirectTimers timers) {
        this.timers = timers;
    }

    long start() {
        return timers.start();
    }

    void done(HttpServerRequest req, Outcome outcome, long start) {
        timers.record(outcome, start);
    }
}

package dev.kurz.web;

import dev.kurz.ops.RedirectTimers;
import dev.kurz.ops.RedirectTimers.Outcome;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the redirect path reports about itself: its latency by outcome ({@link RedirectTimers}) and,
 * for a sampled share ({@code KURZ_TRACE_REDIRECT_RATIO}), a span. With timing off and no sampling,
 * {@link #start} reads no clock and {@link #done} does two field tests; with timing on, one redirect
 * in {@link RedirectTimers#SAMPLE} reads the clock.
 */
final class RedirectObserver {
    static final RedirectObserver OFF = new RedirectObserver(RedirectTimers.OFF, null, 0);

    private final RedirectTimers timers;
    private final Tracing tracing;
    private final double ratio;

    /** @param tracing null when tracing is off; @param ratio the share of redirects traced */
    RedirectObserver(RedirectTimers timers, Tracing tracing, double ratio) {
        this.timers = timers;
        this.tracing = tracing;
        this.ratio = tracing == null ? 0 : ratio;
    }

    long start() {
        // Tracing needs every redirect's start (it picks its share at the end); the timers pick their own sample.
        return ratio > 0 ? System.nanoTime() : timers.start();
    }

    void done(HttpServerRequest req, Outcome outcome, long start) {
        timers.record(outcome, start);
        if (ratio > 0 && start != RedirectTimers.UNTIMED && ThreadLocalRandom.current().nextDouble() < ratio) {
            tracing.redirect(req, outcome, System.nanoTime() - start);
        }
    }
}

package dev.kurz.web;

import dev.kurz.ops.RedirectTimers;
import dev.kurz.ops.RedirectTimers.Outcome;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the redirect path reports about itself: its latency by outcome ({@link RedirectTimers}) and,
 * for a sampled share ({@code KURZ_TRACE_REDIRECT_RATIO}), a span. With timing off and no sampling,
 * {@link #start} reads no clock and {@link #done} does two field tests.
 */
final class RedirectObserver {
    static final RedirectObserver OFF = new RedirectObserver(RedirectTimers.OFF, null, 0);

    private final RedirectTimers timers;
    private final Tracing tracing;
    private final double ratio;
    private final boolean clock;

    /** @param tracing null when tracing is off; @param ratio the share of redirects traced */
    RedirectObserver(RedirectTimers timers, Tracing tracing, double ratio) {
        this.timers = timers;
        this.tracing = tracing;
        this.ratio = tracing == null ? 0 : ratio;
        this.clock = timers.enabled() || this.ratio > 0;
    }

    long start() {
        return clock ? System.nanoTime() : 0;
    }

    void done(HttpServerRequest req, Outcome outcome, long start) {
        timers.record(outcome, start);
        if (ratio > 0 && ThreadLocalRandom.current().nextDouble() < ratio) tracing.redirect(req, outcome, System.nanoTime() - start);
    }
}

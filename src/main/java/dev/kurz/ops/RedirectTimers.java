package dev.kurz.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Latency of the redirect path, one timer per outcome registered once at start: recording is an
 * array index and {@link Timer#record(long, TimeUnit)} (a few atomic adds and a binary search over
 * a dozen bucket bounds), with no tag lookup and no allocation per request. {@link #OFF} keeps the
 * redirect path free of even the clock reads, for the on/off benchmark.
 */
public final class RedirectTimers {
    /** What a redirect request came to; the {@code outcome} tag of {@code kurz_redirects_seconds}. */
    public enum Outcome {
        REDIRECT("redirect"), NOT_FOUND("not_found"), GONE("gone"), REFUSED("refused"), FAILED("failed");

        final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }
    }

    /** Bucket bounds of the redirect histogram: a cache hit answers well under a millisecond, a database load in a few. */
    static final Duration[] BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(1000)};

    public static final RedirectTimers OFF = new RedirectTimers();

    private final Timer[] timers;

    private RedirectTimers() {
        this.timers = null;
    }

    public RedirectTimers(MeterRegistry registry) {
        Outcome[] all = Outcome.values();
        this.timers = new Timer[all.length];
        for (Outcome o : all) {
            timers[o.ordinal()] = Timer.builder("kurz.redirects")
                    .description("Redirect requests (GET|HEAD /{slug}) by outcome, from dispatch to the answer.")
                    .tag("outcome", o.tag)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
        }
    }

    public boolean enabled() {
        return timers != null;
    }

    /** The start of a measurement: {@link System#nanoTime()}, or 0 when timing is off. */
    public long start() {
        return timers == null ? 0 : System.nanoTime();
    }

    public void record(Outcome outcome, long start) {
        if (timers != null) timers[outcome.ordinal()].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}

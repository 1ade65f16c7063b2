package dev.kurz.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the redirect path reports: every redirect counted by outcome ({@code kurz_redirects_total},
 * one striped add), and the latency of one redirect in {@link #SAMPLE} picked at random
 * ({@code kurz_redirect_latency_seconds}, a histogram). Timing every redirect — two clock reads and
 * a {@link Timer#record} of a few atomic adds per request — cost 4–5 % of the redirect throughput
 * against a 2 % budget (docs/BENCHMARKS.md); a sample keeps the percentiles and drops the cost.
 * Meters are registered once at start: no tag lookup and no allocation per request. {@link #OFF}
 * keeps the redirect path free of all of it, for the on/off benchmark.
 */
public final class RedirectTimers {
    /** What a redirect request came to; the {@code outcome} tag of {@code kurz_redirects_total} and {@code kurz_redirect_latency_seconds}. */
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

    /** One redirect in this many is timed. */
    public static final int SAMPLE = 16;
    /** {@link #start} of a redirect that is counted but not timed. */
    public static final long UNTIMED = Long.MIN_VALUE;

    private final Timer[] timers;
    private final java.util.concurrent.atomic.LongAdder[] counts;

    private RedirectTimers() {
        this.timers = null;
        this.counts = null;
    }

    public RedirectTimers(MeterRegistry registry) {
        Outcome[] all = Outcome.values();
        this.timers = new Timer[all.length];
        this.counts = new java.util.concurrent.atomic.LongAdder[all.length];
        for (Outcome o : all) {
            java.util.concurrent.atomic.LongAdder count = counts[o.ordinal()] = new java.util.concurrent.atomic.LongAdder();
            io.micrometer.core.instrument.FunctionCounter.builder("kurz.redirects", count, java.util.concurrent.atomic.LongAdder::doubleValue)
                    .description("Redirect requests (GET|HEAD /{slug}) by outcome.")
                    .tag("outcome", o.tag)
                    .register(registry);
            timers[o.ordinal()] = Timer.builder("kurz.redirect.latency")
                    .description("Latency of one redirect request in " + SAMPLE + ", picked at random, by outcome, from dispatch to the answer.")
                    .tag("outcome", o.tag)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
        }
    }

    public boolean enabled() {
        return timers != null;
    }

    /** The start of a measurement: {@link System#nanoTime()} for a sampled redirect, else {@link #UNTIMED} (0 when off). */
    public long start() {
        if (timers == null) return 0;
        return java.util.concurrent.ThreadLocalRandom.current().nextInt(SAMPLE) == 0 ? System.nanoTime() : UNTIMED;
    }

    public void record(Outcome outcome, long start) {
        if (timers == null) return;
        counts[outcome.ordinal()].increment();
        if (start != UNTIMED) timers[outcome.ordinal()].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}

package dev.kurz.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long the event loops were unavailable: a task on each loop asks to run every {@link #TICK}
 * and records how much later than that it ran. A loop busy with requests runs it between two
 * rounds of I/O, so the delay is the longest stretch a request could have waited for its loop —
 * a GC pause, a background thread holding the core, a blocking call that slipped onto the loop.
 *
 * <p>Exposed as {@code kurz_event_loop_delay_seconds} (a histogram with buckets up to a second)
 * and {@code kurz_event_loop_delay_longest_seconds} (the longest since start); the redirect
 * benchmark reads both around each run.
 */
public final class LoopDelay implements AutoCloseable {
    static final Duration TICK = Duration.ofMillis(5);
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    private final Timer delays;
    private final AtomicLong longestNanos = new AtomicLong();
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

    private LoopDelay(MeterRegistry registry) {
        this.delays = Timer.builder("kurz.event.loop.delay")
                .description("How much later than asked a 5 ms tick ran on an event loop: time the loop could not serve requests.")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        registry.gauge("kurz.event.loop.delay.longest", List.of(), longestNanos, n -> n.get() / 1e9);
    }

    /** Starts a tick on every loop of {@code loops}. */
    public static LoopDelay watch(EventLoopGroup loops, MeterRegistry registry) {
        LoopDelay d = new LoopDelay(registry);
        for (EventExecutor loop : loops) d.ticks.add(d.tick(loop));
        return d;
    }

    private ScheduledFuture<?> tick(EventExecutor loop) {
        long period = TICK.toNanos();
        long[] due = {System.nanoTime() + period};
        return loop.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            record(Math.max(0, now - due[0]));
            due[0] = now + period;
        }, period, period, TimeUnit.NANOSECONDS);
    }

    void record(long lateNanos) {
        delays.record(lateNanos, TimeUnit.NANOSECONDS);
        longestNanos.accumulateAndGet(lateNanos, Math::max);
    }

    /** The longest delay seen since start. */
    public Duration longest() {
        return Duration.ofNanos(longestNanos.get());
    }

    @Override
    public void close() {
        for (ScheduledFuture<?> t : ticks) t.cancel(false);
    }
}

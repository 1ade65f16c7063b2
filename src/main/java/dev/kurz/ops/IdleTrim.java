package dev.kurz.ops;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back once traffic stops: after a burst the young generation stays as large as the
 * burst made it, and ParallelGC returns memory to the system only at a full collection. When the
 * node has been quiet for {@code quietChecks} checks in a row (its redirect count unchanged) and
 * served something since the last trim, one full collection runs — a pause nobody waits for — and
 * the heap shrinks to what is live (with {@code -XX:MaxHeapFreeRatio}, set by the launcher).
 */
public final class IdleTrim implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(IdleTrim.class);

    private final LongSupplier activity;
    private final int quietChecks;
    private final Runnable collect;
    private long last = -1;
    private long trimmedAt = -1;
    private int quiet;

    /** @param activity a count that grows with traffic (redirects accepted) */
    public IdleTrim(LongSupplier activity, int quietChecks) {
        this(activity, quietChecks, System::gc);
    }

    IdleTrim(LongSupplier activity, int quietChecks, Runnable collect) {
        this.activity = activity;
        this.quietChecks = quietChecks;
        this.collect = collect;
    }

    @Override
    public void run() {
        long now = activity.getAsLong();
        quiet = now == last ? quiet + 1 : 0;
        last = now;
        if (quiet < quietChecks || now == trimmedAt) return;
        trimmedAt = now;
        long before = Runtime.getRuntime().totalMemory();
        collect.run();
        log.debug("idle: heap {} MiB -> {} MiB", before >> 20, Runtime.getRuntime().totalMemory() >> 20);
    }
}

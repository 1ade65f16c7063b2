package dev.kurz.analytics;

import java.util.List;

/** Lets tests in other packages build aggregates the way the batcher does. */
public final class TestAccess {
    private TestAccess() {}

    public static void add(ClickAggregate a, EnrichedClick c) {
        a.add(c);
    }

    /** Drops the raw events of an aggregate (benchmarks that only need rollups). */
    public static void clearEvents(ClickAggregate a) {
        a.events.clear();
    }

    public static int size(ClickBuffer b) {
        return b.size();
    }

    public static ClickAggregate aggregateOf(List<EnrichedClick> clicks) {
        ClickAggregate a = new ClickAggregate();
        clicks.forEach(a::add);
        return a;
    }
}

package dev.kurz.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Prometheus text exposition of values Kurz already keeps (buffer counters, cache size, live
 * connections, pool state): reading them costs the redirect path nothing. Registered once at
 * start; rendered on each scrape.
 */
public final class Metrics {
    private record Metric(String name, String type, String help, Supplier<? extends Number> value) {}

    private final List<Metric> metrics = new ArrayList<>();

    public Metrics counter(String name, String help, Supplier<? extends Number> value) {
        metrics.add(new Metric(name, "counter", help, value));
        return this;
    }

    public Metrics gauge(String name, String help, Supplier<? extends Number> value) {
        metrics.add(new Metric(name, "gauge", help, value));
        return this;
    }

    /** The text format, version 0.0.4. */
    public String render() {
        StringBuilder sb = new StringBuilder(2048);
        for (Metric m : metrics) {
            Number v;
            try {
                v = m.value().get();
            } catch (RuntimeException e) {
                continue; // a source that cannot answer now is left out of this scrape
            }
            sb.append("# HELP ").append(m.name()).append(' ').append(m.help()).append('\n')
                    .append("# TYPE ").append(m.name()).append(' ').append(m.type()).append('\n')
                    .append(m.name()).append(' ').append(v).append('\n');
        }
        return sb.toString();
    }
}

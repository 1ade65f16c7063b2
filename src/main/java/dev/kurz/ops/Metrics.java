package dev.kurz.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The node's metrics in one Micrometer registry, rendered as Prometheus text on each scrape. Kurz's
 * own counters and gauges read values Kurz keeps anyway (buffer counters, cache size, pool state), so
 * registering them costs the redirect path nothing; JVM and process meters come from Micrometer's
 * binders; HTTP timers are registered by {@code web.HttpObserver} and {@link RedirectTimers}.
 */
public final class Metrics implements AutoCloseable {
    /** Prometheus text exposition 0.0.4, what every Prometheus version scrapes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /**
     * The suppliers behind {@link #counter} and {@link #gauge}: Micrometer holds a meter's state
     * object weakly, so a method reference held by nothing else read NaN after the first GC.
     */
    private final List<Supplier<? extends Number>> sources = new CopyOnWriteArrayList<>();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** A counter read from {@code value} at each scrape; {@code name} in Prometheus form, {@code _total} included. */
    public Metrics counter(String name, String help, Supplier<? extends Number> value) {
        String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        sources.add(value);
        FunctionCounter.builder(base, value, v -> read(v)).description(help).register(registry);
        return this;
    }

    public Metrics gauge(String name, String help, Supplier<? extends Number> value) {
        sources.add(value);
        Gauge.builder(name, value, v -> read(v)).description(help).register(registry);
        return this;
    }

    /** A source that cannot answer now reads as NaN in this scrape instead of failing it. */
    private static double read(Supplier<? extends Number> v) {
        try {
            return v.get().doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The text format, version 0.0.4. */
    public String render() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

package dev.kurz.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Readiness: every required dependency answers within {@link #TIMEOUT_MS}, and the node is not
 * shutting down. An optional one (Redis: every node shares it, and each serves without it) that
 * fails only makes the report degraded. Liveness is the process answering at all, so it needs
 * nothing here.
 */
public final class Health {
    static final long TIMEOUT_MS = 2000;

    /** One dependency's state. */
    public record Check(String name, boolean up, long latencyMs, String error, boolean required) {
        public Check(String name, boolean up, long latencyMs, String error) {
            this(name, up, latencyMs, error, true);
        }
    }

    /** All checks and the verdict. */
    public record Report(boolean up, List<Check> checks) {
        /** Ready, but some optional dependency failed. */
        public boolean degraded() {
            return up && checks.stream().anyMatch(c -> !c.up());
        }
    }

    private final Map<String, Supplier<CompletableFuture<?>>> probes = new LinkedHashMap<>();
    private final java.util.Set<String> optional = new java.util.HashSet<>();
    private volatile boolean draining;
    private volatile boolean started;

    /** Adds a dependency; the probe returns a future that completes when it answered. */
    public Health probe(String name, Supplier<CompletableFuture<?>> probe) {
        probes.put(name, probe);
        return this;
    }

    /** Marks start-up as complete: {@code /health/startup} answers 200 from now on. */
    public void started() {
        started = true;
    }

    public boolean isStarted() {
        return started;
    }

    /** Adds a dependency whose failure is reported but does not make the node unready. */
    public Health optionalProbe(String name, Supplier<CompletableFuture<?>> probe) {
        optional.add(name);
        return probe(name, probe);
    }

    /** Marks the node as going away: readiness fails so load balancers stop sending traffic. */
    public void drain() {
        draining = true;
    }

    public CompletableFuture<Report> ready() {
        List<CompletableFuture<Check>> all = new ArrayList<>();
        probes.forEach((name, probe) -> {
            long start = System.nanoTime();
            CompletableFuture<?> f;
            try {
                f = probe.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            boolean required = !optional.contains(name);
            all.add(f.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).handle((ok, err) -> new Check(name, err == null,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), err == null ? null : message(err), required)));
        });
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Check> checks = all.stream().map(CompletableFuture::join).toList();
            boolean up = !draining && checks.stream().allMatch(c -> c.up() || !c.required());
            return new Report(up, checks);
        });
    }

    private static String message(Throwable err) {
        Throwable t = err;
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException)) t = t.getCause();
        if (t instanceof java.util.concurrent.TimeoutException) return "no answer within " + TIMEOUT_MS + " ms";
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}

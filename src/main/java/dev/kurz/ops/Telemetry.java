package dev.kurz.ops;

import dev.kurz.config.KurzConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry tracing, on when an OTLP endpoint is configured: the SDK is built by OpenTelemetry's
 * own autoconfiguration from the standard {@code OTEL_*} variables (endpoint, headers, sampler,
 * resource attributes, batch settings), with Kurz's defaults underneath: service name {@code kurz},
 * OTLP over HTTP/protobuf, traces only (metrics go to Prometheus, logs to stdout).
 */
public final class Telemetry implements AutoCloseable {
    public static final Telemetry OFF = new Telemetry(null, 0);

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final double redirectRatio;

    private Telemetry(OpenTelemetrySdk sdk, double redirectRatio) {
        this.sdk = sdk;
        this.tracer = sdk == null ? OpenTelemetry.noop().getTracer("dev.kurz") : sdk.getTracer("dev.kurz");
        this.redirectRatio = sdk == null ? 0 : redirectRatio;
    }

    public static Telemetry start(KurzConfig.Observability o) {
        if (!o.tracing()) return OFF;
        Map<String, String> defaults = Map.of(
                "otel.service.name", "kurz",
                "otel.traces.exporter", "otlp",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none",
                "otel.exporter.otlp.protocol", "http/protobuf");
        // Kurz's own reading of the environment wins, so tests and embedders can pass the OTEL_* settings in.
        Map<String, String> given = new HashMap<>();
        o.otel().forEach((k, v) -> given.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v));
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(config -> given)
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        return new Telemetry(sdk, o.traceRedirectRatio());
    }

    public boolean tracing() {
        return sdk != null;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** W3C {@code traceparent} (and baggage), or whatever {@code OTEL_PROPAGATORS} names. */
    public TextMapPropagator propagator() {
        return sdk == null ? TextMapPropagator.noop() : sdk.getPropagators().getTextMapPropagator();
    }

    /** The share of redirects that get a span (KURZ_TRACE_REDIRECT_RATIO); 0 when tracing is off. */
    public double redirectRatio() {
        return redirectRatio;
    }

    /** Sends what is buffered and stops the exporter, for at most 5 s. */
    @Override
    public void close() {
        if (sdk != null) sdk.shutdown().join(5, TimeUnit.SECONDS);
    }
}

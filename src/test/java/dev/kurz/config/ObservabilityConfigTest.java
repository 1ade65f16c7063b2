package dev.kurz.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObservabilityConfigTest {
    private static KurzConfig.Observability of(Map<String, String> env) {
        return KurzConfig.from(new Env(env)).observability();
    }

    @Test
    void defaults_managementOn9090_textLogs_redirectsTimed_noTracing() {
        KurzConfig.Observability o = of(Map.of());
        assertThat(o.management()).isTrue();
        assertThat(o.managementPort()).isEqualTo(9090);
        assertThat(o.managementHost()).isEqualTo("0.0.0.0");
        assertThat(o.redirectMetrics()).isTrue();
        assertThat(o.logFormat()).isEqualTo("text");
        assertThat(o.traceRedirectRatio()).isZero();
        assertThat(o.tracing()).isFalse();
    }

    @Test
    void managementPort_offOrZero_disables() {
        assertThat(of(Map.of("KURZ_MANAGEMENT_PORT", "off")).management()).isFalse();
        assertThat(of(Map.of("KURZ_MANAGEMENT_PORT", "0")).management()).isFalse();
        assertThat(of(Map.of("KURZ_MANAGEMENT_PORT", "9100")).managementPort()).isEqualTo(9100);
    }

    @Test
    void tracing_onWithAnOtlpEndpoint_unlessTheSdkIsDisabled() {
        assertThat(of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).tracing()).isTrue();
        assertThat(of(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces")).tracing()).isTrue();
        assertThat(of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SDK_DISABLED", "true")).tracing()).isFalse();
        assertThat(of(Map.of("OTEL_SERVICE_NAME", "x", "KURZ_PORT", "1")).otel()).containsOnlyKeys("OTEL_SERVICE_NAME");
    }

    @ParameterizedTest
    @CsvSource({
            "KURZ_MANAGEMENT_PORT, 70000, a whole number from 1 to 65535",
            "KURZ_MANAGEMENT_PORT, admin, a whole number from 1 to 65535",
            "KURZ_METRICS_REDIRECTS, maybe, on or off",
            "KURZ_LOG_FORMAT, JSON, text or json",
            "KURZ_LOG_FORMAT, xml, text or json",
            "KURZ_TRACE_REDIRECT_RATIO, 1.5, a number from 0 to 1",
            "KURZ_TRACE_REDIRECT_RATIO, NaN, a number from 0 to 1",
            "KURZ_TRACE_REDIRECT_RATIO, some, a number from 0 to 1"})
    void badValue_namesVariableAndExpectation(String name, String value, String expected) {
        assertThatThrownBy(() -> of(Map.of(name, value)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(name).hasMessageContaining(expected);
    }
}

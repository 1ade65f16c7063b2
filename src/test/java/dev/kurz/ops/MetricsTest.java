package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void counterAndGauge_fromMethodReferencesHeldByNothingElse_stillReadAfterAGc() throws Exception {
        AtomicLong loads = new AtomicLong(42);
        try (Metrics m = new Metrics()) {
            m.counter("kurz_test_loads_total", "Loads.", loads::get).gauge("kurz_test_size", "Size.", loads::get);
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(20);
            }
            String text = m.render();
            assertThat(text).contains("kurz_test_loads_total 42.0").contains("kurz_test_size 42.0");
        }
    }
}

package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void optionalProbeDown_reportStaysUpButDegraded() {
        Health h = new Health().probe("database", () -> CompletableFuture.completedFuture(null))
                .optionalProbe("redis", () -> CompletableFuture.failedFuture(new IllegalStateException("frozen")));
        Health.Report r = h.ready().join();
        assertThat(r.up()).isTrue();
        assertThat(r.degraded()).isTrue();
        assertThat(r.checks()).extracting(Health.Check::name, Health.Check::up, Health.Check::required)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("database", true, true), org.assertj.core.groups.Tuple.tuple("redis", false, false));
    }

    @Test
    void requiredProbeDown_reportIsDown() {
        Health h = new Health().probe("database", () -> CompletableFuture.failedFuture(new IllegalStateException("locked")))
                .optionalProbe("redis", () -> CompletableFuture.completedFuture(null));
        Health.Report r = h.ready().join();
        assertThat(r.up()).isFalse();
        assertThat(r.degraded()).isFalse();
    }
}

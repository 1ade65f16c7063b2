package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleTrimTest {
    private final AtomicLong served = new AtomicLong();
    private final AtomicInteger collections = new AtomicInteger();
    private final IdleTrim trim = new IdleTrim(served::get, 3, collections::incrementAndGet);

    @Test
    void run_busy_neverCollects() {
        for (int i = 0; i < 20; i++) {
            served.addAndGet(1000);
            trim.run();
        }
        assertThat(collections).hasValue(0);
    }

    @Test
    void run_quietAfterTraffic_collectsOnceUntilTheNextBurst() {
        served.set(5000);
        for (int i = 0; i < 4; i++) trim.run(); // the first check only notes the count
        assertThat(collections).hasValue(1);
        for (int i = 0; i < 10; i++) trim.run();
        assertThat(collections).as("nothing served since").hasValue(1);

        served.addAndGet(10);
        for (int i = 0; i < 4; i++) trim.run();
        assertThat(collections).hasValue(2);
    }
}

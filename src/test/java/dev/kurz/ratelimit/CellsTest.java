package dev.kurz.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CellsTest {
    private long now = TimeUnit.DAYS.toNanos(20_000);
    private final TimeMeter time = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return now;
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    };

    @Test
    void tryAcquire_burstOfCapacity_thenOneTokenPerInterval() {
        Cells cells = new Cells(5, TimeUnit.SECONDS.toNanos(1), 1024, time);
        for (int i = 0; i < 5; i++) assertThat(cells.tryAcquire("192.0.2.1")).as("token %d", i).isTrue();
        assertThat(cells.tryAcquire("192.0.2.1")).isFalse();
        assertThat(cells.nanosToWait("192.0.2.1")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(cells.tryAcquire("192.0.2.2")).as("another address, its own bucket").isTrue();

        now += TimeUnit.MILLISECONDS.toNanos(199);
        assertThat(cells.tryAcquire("192.0.2.1")).isFalse();
        now += TimeUnit.MILLISECONDS.toNanos(1);
        assertThat(cells.tryAcquire("192.0.2.1")).isTrue();
        assertThat(cells.tryAcquire("192.0.2.1")).isFalse();

        now += TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 5; i++) assertThat(cells.tryAcquire("192.0.2.1")).as("refilled to capacity, not beyond").isTrue();
        assertThat(cells.tryAcquire("192.0.2.1")).isFalse();
    }

    @Test
    void tryAcquire_refusedRequests_doNotDrainTheBucketFurther() {
        Cells cells = new Cells(2, TimeUnit.SECONDS.toNanos(1), 1024, time);
        cells.tryAcquire("a");
        cells.tryAcquire("a");
        for (int i = 0; i < 100; i++) assertThat(cells.tryAcquire("a")).isFalse();
        now += TimeUnit.MILLISECONDS.toNanos(500);
        assertThat(cells.tryAcquire("a")).isTrue();
    }

    @Test
    void tryAcquire_manyOtherAddresses_keepAnIndebtedOneLimited() {
        Cells cells = new Cells(1, TimeUnit.SECONDS.toNanos(60), 1024, time);
        assertThat(cells.tryAcquire("abuser")).isTrue();
        for (int i = 0; i < 200; i++) {
            now += 1_000;
            assertThat(cells.tryAcquire("visitor-" + i)).isTrue();
        }
        assertThat(cells.tryAcquire("abuser")).isFalse();
    }

    @Test
    void tryAcquire_fullTable_givesUpTheLeastIndebtedSlotFirst() {
        Cells cells = new Cells(1, TimeUnit.SECONDS.toNanos(60), 8, time); // one group of 8
        for (int i = 0; i < 8; i++) {
            now += 1_000;
            assertThat(cells.tryAcquire("visitor-" + i)).isTrue();
        }
        assertThat(cells.tryAcquire("newcomer")).as("takes visitor-0's slot, the first to refill").isTrue();
        assertThat(cells.tryAcquire("visitor-7")).as("the most recent keep theirs").isFalse();
        assertThat(cells.tryAcquire("visitor-0")).as("forgotten: a full bucket again, as a bounded map would").isTrue();
    }

    @Test
    void hash_isNeverTheEmptySlot() {
        assertThat(Cells.hash("")).isNotZero();
        assertThat(Cells.hash("192.0.2.1")).isNotEqualTo(Cells.hash("192.0.2.10"));
    }
}

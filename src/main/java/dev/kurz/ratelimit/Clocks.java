package dev.kurz.ratelimit;

import io.github.bucket4j.TimeMeter;
import java.time.InstantSource;

/** Bucket4j reads time through a {@link TimeMeter}; ours comes from the injected clock, so tests move it by hand. */
public final class Clocks {
    private Clocks() {}

    public static TimeMeter meter(InstantSource clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }
}

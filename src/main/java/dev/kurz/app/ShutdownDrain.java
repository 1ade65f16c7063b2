package dev.kurz.app;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of a shutdown: readiness already says 503 and every answer closes its
 * connection, and the node keeps serving while load balancers notice and clients reconnect
 * elsewhere. Stopping intake at once would reset every idle keep-alive connection, and a client
 * that wrote its next request onto one in that moment sees a failure.
 */
final class ShutdownDrain {
    private static final Logger log = LoggerFactory.getLogger(ShutdownDrain.class);

    private ShutdownDrain() {}

    static void serveFor(Duration drain) {
        if (drain.isZero() || drain.isNegative()) return;
        log.info("draining for {} ms (KURZ_SHUTDOWN_DRAIN): readiness 503, every answer closes its connection", drain.toMillis());
        try {
            Thread.sleep(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("drain over");
    }
}

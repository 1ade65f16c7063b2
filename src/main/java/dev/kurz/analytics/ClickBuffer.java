package dev.kurz.analytics;

import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;

/**
 * The only thing the redirect touches for analytics: a bounded queue whose {@link #offer} never
 * blocks. When full, the click is dropped and the drop counted, so a slow database can cost
 * clicks but never redirect latency.
 *
 * <p>Lock-free (JCTools' multi-producer single-consumer array queue): with a lock, the batcher
 * being descheduled while holding it stalled every event loop for a scheduler quantum, which
 * tripled the redirect p99 on one core.
 */
public final class ClickBuffer {
    private final MpscArrayQueue<Click> queue;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private volatile boolean closed;

    public ClickBuffer(int capacity) {
        this.queue = new MpscArrayQueue<>(capacity);
    }

    /** False when the click was dropped (buffer full or closed for shutdown). */
    public boolean offer(Click click) {
        if (!closed && queue.offer(click)) {
            accepted.increment();
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Single consumer only: the batcher. */
    int drainTo(Collection<Click> sink, int max) {
        return queue.drain(sink::add, max);
    }

    int size() {
        return queue.size();
    }

    /** Stops intake: later offers are dropped (and counted). */
    void close() {
        closed = true;
    }

    public long dropped() {
        return dropped.sum();
    }

    public long accepted() {
        return accepted.sum();
    }
}

package dev.kurz.linkcheck;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Link health checks on a schedule. Each round claims the links whose last check is older than the
 * interval (a lease, so one node checks each) and checks them on virtual threads: at most
 * {@code concurrency} at once, one at a time per host, and not at all while that host's circuit
 * breaker is open (its links wait for the next round). A link whose check turns it broken is
 * reported once, on the transition ({@code link.broken}).
 */
public final class LinkChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkChecks.class);

    /** A link that turned broken: its slug, URL and health. */
    public record Broken(String slug, String url, LinkHealth health, String checkId) {}

    private final LinkCheckStore store;
    private final Prober prober;
    private final InstantSource clock;
    private final Duration interval;
    private final Duration lease;
    private final String node;
    private final Consumer<Broken> onBroken;
    private final Semaphore slots;
    private final int concurrency;
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, ReentrantLock> hosts = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final ExecutorService checks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kurz-linkcheck-", 0).factory());
    private volatile boolean closed;
    private Thread loop;

    /**
     * @param interval how old a check may get (null: checks are off; health is still read)
     * @param timeout  each request's deadline
     */
    public LinkChecks(LinkCheckStore store, Prober prober, InstantSource clock, Duration interval, Duration timeout, int concurrency,
                      String node, Consumer<Broken> onBroken) {
        this.store = store;
        this.prober = prober;
        this.clock = clock;
        this.interval = interval;
        // Up to 6 requests (5 redirects), each twice (HEAD, GET), and waiting for the host's turn.
        this.lease = timeout.multipliedBy(12).plusSeconds(30);
        this.node = node;
        this.onBroken = onBroken;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency);
    }

    public LinkChecks start() {
        if (interval == null) return this;
        long tick = Math.max(50, Math.min(interval.toMillis() / 4, 10_000));
        loop = Thread.ofVirtual().name("kurz-linkcheck-rounds").start(() -> {
            while (!closed) {
                try {
                    round();
                } catch (RuntimeException e) {
                    log.warn("link check round failed: {}", e.toString());
                }
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    /** Claims the due links this node has room for and starts their checks. */
    void round() {
        // A bounded queue: no more claimed than four times what may run at once.
        int free = concurrency * 4 - pending.get();
        if (free <= 0) return;
        Instant now = clock.instant();
        List<LinkCheckStore.Due> due = store.claimDue(node, now, now.minus(interval), now.plus(lease), free);
        for (LinkCheckStore.Due d : due) {
            pending.incrementAndGet();
            checks.execute(() -> {
                try {
                    check(d);
                } finally {
                    pending.decrementAndGet();
                }
            });
        }
    }

    void check(LinkCheckStore.Due d) {
        String host = Prober.hostOf(d.url());
        CircuitBreaker breaker = breakers.computeIfAbsent(host, LinkChecks::breaker);
        ReentrantLock turn = hosts.computeIfAbsent(host, h -> new ReentrantLock(true));
        turn.lock();
        try {
            if (!breaker.tryAcquirePermission()) return; // the claim lapses; a later round checks it
            slots.acquireUninterruptibly();
            LinkHealth h;
            long t0 = System.nanoTime();
            try {
                h = prober.check(d.url());
            } finally {
                slots.release();
            }
            long took = System.nanoTime() - t0;
            if (h.status() == LinkHealth.Status.BROKEN && h.httpStatus() == null) breaker.onError(took, TimeUnit.NANOSECONDS, new RuntimeException(h.error()));
            else breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            store.record(d.linkId(), h);
            if (h.status() == LinkHealth.Status.BROKEN && d.before() != LinkHealth.Status.BROKEN) {
                onBroken.accept(new Broken(d.slug(), d.url(), h, "linkcheck-" + d.linkId() + "-" + h.checkedAt().toEpochMilli()));
            }
        } catch (RuntimeException e) {
            log.warn("link check of {} not recorded: {}", d.slug(), e.toString());
        } finally {
            turn.unlock();
        }
    }

    /** The health of these links; a link never checked is unknown. */
    public Map<Long, LinkHealth> healthOf(Collection<Long> linkIds) {
        return store.healthOf(linkIds);
    }

    private static CircuitBreaker breaker(String host) {
        // A host that does not answer at all is left alone for a while rather than tried link by link.
        return CircuitBreaker.of("linkcheck-" + host, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(80)
                .waitDurationInOpenState(Duration.ofMinutes(5)).permittedNumberOfCallsInHalfOpenState(1).build());
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) loop.interrupt();
        checks.shutdownNow();
    }
}

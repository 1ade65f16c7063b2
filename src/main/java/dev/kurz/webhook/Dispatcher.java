package dev.kurz.webhook;

import dev.kurz.config.Integrations;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox. A loop claims due deliveries (as many as it has free slots), each attempt
 * runs on a virtual thread: the endpoint's circuit breaker is asked first (open: the delivery goes
 * back untried, due when the breaker may let a trial through), then one signed POST within the
 * timeout, then the outcome and the next state in one transaction: delivered on a 2xx; otherwise
 * queued again after an exponential, jittered backoff, or dead once the retry window is spent. A
 * claim is a lease: a node that dies mid-attempt leaves the row running until the lease passes,
 * then any node takes it up (at least once: the receiver may see that one again, with the same
 * {@code webhook-id}).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private final WebhookStore store;
    private final Sender sender;
    private final Integrations config;
    private final InstantSource clock;
    private final String node;
    private final Consumer<Webhook> onDisabled;
    private final Semaphore slots;
    private final ExecutorService attempts = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kurz-webhook-", 0).factory());
    private final Map<Long, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private final Duration lease;
    private volatile boolean closed;
    private Thread loop;

    /** @param onDisabled told when a failure disabled an endpoint (for the audit trail) */
    public Dispatcher(WebhookStore store, Sender sender, Integrations config, InstantSource clock, String node, Consumer<Webhook> onDisabled) {
        this.store = store;
        this.sender = sender;
        this.config = config;
        this.clock = clock;
        this.node = node;
        this.onDisabled = onDisabled;
        this.slots = new Semaphore(config.concurrency());
        // The look-up and the request each get at most the timeout; a second more for the write.
        this.lease = config.timeout().multipliedBy(2).plusSeconds(1);
    }

    public Dispatcher start() {
        loop = Thread.ofVirtual().name("kurz-webhook-dispatcher").start(this::run);
        return this;
    }

    /** Something was queued here: look now rather than at the next poll. */
    public void wake() {
        if (wake.availablePermits() == 0) wake.release();
    }

    private void run() {
        while (!closed) {
            int claimed = 0;
            int free = slots.availablePermits();
            try {
                if (free > 0) claimed = dispatchOnce(free);
            } catch (RuntimeException e) {
                log.warn("webhook outbox unavailable: {}", e.toString());
            }
            if (claimed > 0 && claimed == free) continue;
            try {
                wake.tryAcquire(config.poll().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Claims up to {@code limit} due deliveries and starts them; returns how many. */
    int dispatchOnce(int limit) {
        Instant now = clock.instant();
        List<Delivery> due = store.claim(node, now, now.plus(lease), limit);
        for (Delivery d : due) {
            slots.acquireUninterruptibly();
            attempts.execute(() -> {
                try {
                    attempt(d);
                } catch (RuntimeException e) {
                    log.warn("webhook delivery {} not recorded (retried after its lease): {}", d.id(), e.toString());
                } finally {
                    slots.release();
                    wake();
                }
            });
        }
        return due.size();
    }

    /** A failure disabled {@code w} (both paths that can: a failed attempt, a dead letter while the breaker is open). */
    private void disabledBy(Webhook w, String last) {
        log.warn("webhook {} disabled: it has failed for {} ({}; last: {})", w.id(), config.disableAfter(), w.url(), last);
        onDisabled.accept(w);
    }

    void attempt(Delivery d) {
        Webhook w = store.find(d.webhookId()).orElse(null);
        if (w == null) return; // deleted meanwhile: its deliveries went with it
        CircuitBreaker breaker = breakers.computeIfAbsent(w.id(), this::breaker);
        Instant start = clock.instant();
        if (!w.enabled() || !breaker.tryAcquirePermission()) {
            Instant next = start.plus(config.breakerOpen());
            if (w.enabled() && next.isAfter(d.windowStart().plus(config.retryFor()))) {
                // Its window ends while the breaker holds it back: a dead letter now, not a row waiting forever.
                boolean disabled = store.finish(d, node, new WebhookStore.Outcome(new Delivery.Attempt(start, null, 0,
                        "not sent: the endpoint's circuit breaker is open"), Delivery.State.DEAD, start), start.minus(config.disableAfter()),
                        "failing since more than " + config.disableAfter() + " (circuit breaker open)");
                if (disabled) disabledBy(w, "circuit breaker open");
                return;
            }
            store.release(d, node, next);
            return;
        }
        long ts = start.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", d.messageId());
        headers.put("webhook-timestamp", Long.toString(ts));
        String signature = Signer.sign(w.secret(), d.messageId(), ts, d.payload());
        if (w.previousSecret() != null && w.previousUntil() != null && w.previousUntil().isAfter(start)) {
            signature += " " + Signer.sign(w.previousSecret(), d.messageId(), ts, d.payload());
        }
        headers.put("webhook-signature", signature);
        if (d.requestId() != null) headers.put("X-Request-Id", d.requestId());
        long t0 = System.nanoTime();
        Integer status = null;
        String error = null;
        try {
            status = sender.post(URI.create(w.url()), headers, d.payload(), config.timeout());
            if (status < 200 || status > 299) error = "the receiver answered " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted (node shutting down)";
        } catch (Exception e) {
            error = describe(e);
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (error == null) breaker.onSuccess(took, TimeUnit.MILLISECONDS);
        else breaker.onError(took, TimeUnit.MILLISECONDS, new RuntimeException(error));
        Instant end = clock.instant();
        WebhookStore.Outcome outcome;
        if (error == null) {
            outcome = new WebhookStore.Outcome(new Delivery.Attempt(start, status, took, null), Delivery.State.DELIVERED, end);
        } else {
            Instant next = end.plus(backoff(d.attempts() + 1));
            boolean spent = next.isAfter(d.windowStart().plus(config.retryFor()));
            outcome = new WebhookStore.Outcome(new Delivery.Attempt(start, status, took, error),
                    spent ? Delivery.State.DEAD : Delivery.State.QUEUED, spent ? end : next);
        }
        boolean disabled = store.finish(d, node, outcome, end.minus(config.disableAfter()),
                "failing since more than " + config.disableAfter() + " (last: " + error + ")");
        if (disabled) disabledBy(w, error);
    }

    /** The wait before attempt {@code n + 1}: base × 2^(n-1), capped, the upper half of it at random. */
    Duration backoff(int failures) {
        long base = config.retryBase().toMillis();
        long cap = config.retryCap().toMillis();
        long exp = failures >= 40 ? cap : Math.min(cap, base << Math.max(0, failures - 1));
        if (exp <= 1) return Duration.ofMillis(Math.max(exp, 1));
        return Duration.ofMillis(exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1));
    }

    private CircuitBreaker breaker(long webhookId) {
        return CircuitBreaker.of("webhook-" + webhookId, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(config.breakerOpen())
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    }

    static String describe(Throwable e) {
        while ((e instanceof java.util.concurrent.ExecutionException || e instanceof java.util.concurrent.CompletionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException || e instanceof io.netty.channel.ConnectTimeoutException) {
            return "connection failed: " + (m == null ? e.getClass().getSimpleName() : m);
        }
        if (e instanceof java.util.concurrent.TimeoutException) return "timeout: " + m;
        if (e instanceof HttpSender.RefusedException) return "refused: " + m;
        String s = m == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
        return s.length() > 500 ? s.substring(0, 500) : s;
    }

    @Override
    public void close() {
        closed = true;
        wake();
        if (loop != null) {
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        attempts.shutdown();
        try {
            if (!attempts.awaitTermination(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) attempts.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

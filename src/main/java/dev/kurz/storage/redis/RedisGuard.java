package dev.kurz.storage.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Redis command Kurz sends (except the rate limits', which keep their own 150 ms deadline)
 * goes through here: a deadline per command, and a circuit breaker over all of them.
 *
 * <p>A frozen or unreachable Redis answers nothing, and the Vert.x client has no command timeout,
 * so without this a cache-miss redirect waited as long as Redis was gone. Now a command fails after
 * {@code timeout}; once half of the last 20 commands (at least 10) failed,
 * the breaker opens and commands fail at once, without touching the network, for
 * {@code retryAfter}; then it lets two trial commands through (half-open) and closes when they
 * succeed. Callers treat a failure as "Redis has nothing": reads go to the database, writes to the
 * shared cache are skipped. At least 10 calls, so a burst that queues behind a busy but working
 * Redis (hundreds of concurrent edits) does not open it.
 *
 * <p>Invalidations ({@link #callPatiently}) are the exception: always tried, with the longer
 * deadline {@link #PATIENT}, and not counted. An edit must reach the other nodes even when Redis
 * is merely slow, and an edit is rare enough that waiting a second for a dead Redis is affordable.
 */
public final class RedisGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisGuard.class);

    private final CircuitBreaker breaker;
    /** The deadline of invalidations: an edit waits this long at most, and a slow Redis still gets them. */
    public static final Duration PATIENT = Duration.ofSeconds(1);
    private final TimeLimiter deadline;
    private final TimeLimiter patientDeadline;
    private final ScheduledThreadPoolExecutor timers;

    public RedisGuard(Duration timeout, Duration retryAfter) {
        this.breaker = CircuitBreaker.of("redis", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(retryAfter)
                .permittedNumberOfCallsInHalfOpenState(2)
                .build());
        this.deadline = TimeLimiter.of("redis", TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(true).build());
        Duration patient = timeout.compareTo(PATIENT) > 0 ? timeout : PATIENT;
        this.patientDeadline = TimeLimiter.of("redis-invalidation", TimeLimiterConfig.custom().timeoutDuration(patient).cancelRunningFuture(true).build());
        this.timers = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("kurz-redis-deadlines").daemon(true).factory());
        timers.setRemoveOnCancelPolicy(true); // most commands answer long before their deadline
        breaker.getEventPublisher().onStateTransition(e -> {
            switch (e.getStateTransition().getToState()) {
                case OPEN -> log.warn("redis unusable (commands failed or took over {} ms): circuit open, using the database only; retrying in {}",
                        timeout.toMillis(), retryAfter);
                case CLOSED -> log.info("redis answers again: circuit closed, shared cache back in use");
                default -> log.debug("redis circuit {}", e.getStateTransition());
            }
        });
    }

    /** Runs a command under the deadline and the breaker; fails fast with {@link CallNotPermittedException} while open. */
    public <T> CompletableFuture<T> call(Supplier<Future<T>> command) {
        return call(deadline, command);
    }

    /** Past the breaker, with the longer deadline {@link #PATIENT} (or {@code timeout} if longer); not counted by the breaker. */
    public <T> CompletableFuture<T> callPatiently(Supplier<Future<T>> command) {
        return patientDeadline.executeCompletionStage(timers, () -> command.get().toCompletionStage().toCompletableFuture())
                .toCompletableFuture();
    }

    private <T> CompletableFuture<T> call(TimeLimiter limit, Supplier<Future<T>> command) {
        return breaker.executeCompletionStage(() -> limit.executeCompletionStage(timers,
                        () -> command.get().toCompletionStage().toCompletableFuture()))
                .toCompletableFuture();
    }

    /** False while the breaker is open: a caller may skip work that only helps when Redis answers. */
    public boolean usable() {
        return breaker.getState() != CircuitBreaker.State.OPEN && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    /** True once commands went through again (not while open, nor while only trial commands may pass). */
    public boolean closed() {
        return breaker.getState() == CircuitBreaker.State.CLOSED;
    }

    /** CLOSED, OPEN or HALF_OPEN, for health answers and metrics. */
    public String state() {
        return breaker.getState().name();
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}

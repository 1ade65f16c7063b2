package dev.kurz.webhook;

import java.time.Instant;
import java.util.List;

/**
 * One event for one endpoint: a persisted job, {@code queued → running → delivered | dead}; a
 * failed attempt returns it to {@code queued} until {@code nextAttemptAt}. {@code windowStart} is
 * when its retry window began (its creation, or a manual retry).
 */
public record Delivery(long id, long webhookId, String type, String orderKey, String payload, String requestId, State state,
                       int attempts, Instant nextAttemptAt, Instant windowStart, Instant createdAt, Integer lastStatus,
                       String lastError, Instant finishedAt, List<Attempt> history) {

    public enum State {
        QUEUED, RUNNING, DELIVERED, DEAD;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State of(String label) {
            return valueOf(label.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** One try: when, the receiver's status (null: no answer), how long it took, and why it failed (null: it did not). */
    public record Attempt(Instant at, Integer statusCode, long durationMillis, String error) {}

    /** The message id every attempt carries ({@code webhook-id}): receivers drop a repeat by it. */
    public String messageId() {
        return "msg_" + id;
    }

    public Delivery withHistory(List<Attempt> attempts) {
        return new Delivery(id, webhookId, type, orderKey, payload, requestId, state, this.attempts, nextAttemptAt, windowStart,
                createdAt, lastStatus, lastError, finishedAt, attempts);
    }
}

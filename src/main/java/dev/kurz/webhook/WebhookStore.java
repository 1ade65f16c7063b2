package dev.kurz.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where endpoints and their outbox live. Blocking. {@link #publish} writes an event for every
 * enabled endpoint that subscribes to it, in one transaction; a store that writes link changes
 * writes their events in the change's own transaction.
 */
public interface WebhookStore {
    Webhook insert(String url, List<String> events, String description, String secret, Instant now);

    Optional<Webhook> find(long id);

    List<Webhook> list();

    /** Writes url, events, description, enabled (and clears failingSince when re-enabled); empty when gone. */
    Optional<Webhook> update(Webhook w, Instant now);

    /** A new secret; the old one signs on until {@code previousUntil}. */
    Optional<Webhook> rotate(long id, String secret, Instant previousUntil, Instant now);

    boolean delete(long id);

    /** Writes the events for their subscribers in one transaction; returns how many deliveries were queued. */
    int publish(List<Event> events, Instant now);

    /** The event types some enabled endpoint subscribes to. */
    java.util.Set<String> subscribedTypes();

    /**
     * Claims up to {@code limit} due deliveries for {@code node} until {@code leaseUntil}: queued ones
     * due by {@code now}, and running ones whose lease passed, each the oldest unfinished one of its
     * endpoint and order key, of enabled endpoints. No other node gets the same ones.
     */
    List<Delivery> claim(String node, Instant now, Instant leaseUntil, int limit);

    /** The outcome of one attempt, recorded with the delivery's next state. */
    record Outcome(Delivery.Attempt attempt, Delivery.State next, Instant nextAttemptAt) {}

    /**
     * Records the attempt and moves the delivery on (when {@code node} still holds it), and the
     * endpoint's failure run: returns true when this failure disabled the endpoint (it had been
     * failing since before {@code disableBefore}).
     */
    boolean finish(Delivery d, String node, Outcome outcome, Instant disableBefore, String disabledReason);

    /** Gives a claimed delivery back untried, due again at {@code nextAttemptAt} (its endpoint's breaker is open). */
    void release(Delivery d, String node, Instant nextAttemptAt);

    /** A page of an endpoint's deliveries, newest first, older than {@code beforeId}, each with its attempts. */
    List<Delivery> deliveries(long webhookId, Long beforeId, int limit);

    Optional<Delivery> delivery(long webhookId, long deliveryId);

    /** Queues a finished (delivered or dead) delivery again with a new retry window; empty when it is not finished. */
    Optional<Delivery> retry(long webhookId, long deliveryId, Instant now);

    /** Deletes finished deliveries that finished before {@code cutoff}; returns how many. */
    long purgeFinishedBefore(Instant cutoff);
}

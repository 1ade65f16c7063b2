package dev.kurz.webhook;

import dev.kurz.abuse.PrivateAddresses;
import dev.kurz.link.Hosts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Webhook endpoints and the events Kurz publishes to them. Blocking. Link changes are written to
 * the outbox by the link store itself ({@link LinkEvents}); the other events come in here:
 * {@link #alertFired}, {@link #linkBroken}, {@link #importFinished}, and clicks, summed per link
 * and published every click interval ({@link #onClicks}, {@link #flushClicks}).
 */
public final class Webhooks {
    public static final int MAX_PAGE = 1000;
    public static final int MAX_DESCRIPTION = 500;
    /** How long a rotated-out secret keeps signing alongside the new one. */
    public static final Duration ROTATION_OVERLAP = Duration.ofHours(24);
    private static final long SUBSCRIPTIONS_TTL_MILLIS = 2000;

    private final WebhookStore store;
    private final InstantSource clock;
    private final boolean allowPrivate;
    private final ClickDigest clicks = new ClickDigest();
    private volatile Runnable onPublished = () -> {};
    private volatile Set<String> subscribed;
    private volatile long subscribedAt;
    /** Read by the click batcher, which must never wait for the database: refreshed elsewhere. */
    private volatile boolean clicksWanted;

    public Webhooks(WebhookStore store, InstantSource clock, boolean allowPrivate) {
        this.store = store;
        this.clock = clock;
        this.allowPrivate = allowPrivate;
    }

    /** Called after this node queued deliveries (the dispatcher looks at once). */
    public Webhooks onPublished(Runnable r) {
        this.onPublished = r;
        return this;
    }

    /** Deliveries were queued in another feature's transaction (a link change): look at once. */
    public void queued() {
        onPublished.run();
    }

    // ---- endpoints ----

    /** A new endpoint and its secret, which only this answer shows. */
    public record Created(Webhook webhook, String secret) {}

    public Created create(String url, List<String> events, String description) {
        String u = checkUrl(url);
        List<String> ev = checkEvents(events);
        String d = checkDescription(description);
        String secret = Signer.newSecret();
        Webhook w = store.insert(u, ev, d, secret, clock.instant());
        forgetSubscriptions();
        return new Created(w, secret);
    }

    public List<Webhook> list() {
        return store.list();
    }

    public Webhook get(String id) {
        return store.find(parseId(id)).orElseThrow(() -> WebhookProblems.notFound(id));
    }

    /** Changes the fields given (null: unchanged). Re-enabling starts a fresh failure run. */
    public Webhook update(String id, String url, List<String> events, Boolean enabled, String description, boolean descriptionGiven) {
        Webhook w = get(id);
        Webhook next = new Webhook(w.id(), url == null ? w.url() : checkUrl(url), events == null ? w.events() : checkEvents(events),
                descriptionGiven ? checkDescription(description) : w.description(), w.secret(), w.previousSecret(), w.previousUntil(),
                enabled == null ? w.enabled() : enabled, w.createdAt(), w.updatedAt(), w.failingSince(), w.disabledReason());
        Webhook stored = store.update(next, clock.instant()).orElseThrow(() -> WebhookProblems.notFound(id));
        forgetSubscriptions();
        if (Boolean.TRUE.equals(enabled)) onPublished.run();
        return stored;
    }

    public void delete(String id) {
        if (!store.delete(parseId(id))) throw WebhookProblems.notFound(id);
        forgetSubscriptions();
    }

    /** A new secret, shown once; the old one signs too for {@link #ROTATION_OVERLAP}. */
    public Created rotateSecret(String id) {
        String secret = Signer.newSecret();
        Instant now = clock.instant();
        Webhook w = store.rotate(parseId(id), secret, now.plus(ROTATION_OVERLAP), now).orElseThrow(() -> WebhookProblems.notFound(id));
        return new Created(w, secret);
    }

    /** A page of deliveries, newest first. */
    public record Page(List<Delivery> items, String nextCursor) {}

    public Page deliveries(String id, int limit, String cursor) {
        Webhook w = get(id);
        Long before = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                before = Long.parseLong(cursor.strip());
            } catch (NumberFormatException e) {
                throw WebhookProblems.invalid("cursor", "not a cursor this API returned; pass nextCursor unchanged");
            }
        }
        List<Delivery> rows = store.deliveries(w.id(), before, limit + 1);
        if (rows.size() <= limit) return new Page(rows, null);
        List<Delivery> page = List.copyOf(rows.subList(0, limit));
        return new Page(page, Long.toString(page.get(limit - 1).id()));
    }

    /** Queues a delivered or dead delivery again, with a fresh retry window. */
    public Delivery retry(String id, String deliveryId) {
        Webhook w = get(id);
        long did;
        try {
            did = Long.parseLong(deliveryId);
        } catch (NumberFormatException e) {
            throw WebhookProblems.deliveryNotFound(deliveryId);
        }
        Delivery d = store.delivery(w.id(), did).orElseThrow(() -> WebhookProblems.deliveryNotFound(deliveryId));
        Delivery queued = store.retry(w.id(), did, clock.instant()).orElseThrow(() -> WebhookProblems.notFinished(d.id()));
        onPublished.run();
        return queued;
    }

    // ---- events ----

    /** Publishes events in one transaction (for the subscribers there are); for features other than link changes. */
    public void publish(List<Event> events) {
        List<Event> wanted = events.stream().filter(e -> subscribedTypes().contains(e.type())).toList();
        if (wanted.isEmpty()) return;
        if (store.publish(wanted, clock.instant()) > 0) onPublished.run();
    }

    /**
     * An import finished: for the imports feature to call once its job reaches a final state, with
     * what it reports about the job (e.g. {@code {"id","status","created","failed"}}).
     */
    public void importFinished(String importId, JsonObject summary) {
        publish(List.of(new Event(EventTypes.IMPORT_FINISHED, "import:" + importId, summary.copy().put("id", importId),
                Event.currentRequestId(), clock.instant())));
    }

    /** An alert rule fired (the frame the live feed shows). */
    public void alertFired(String slug, JsonObject frame) {
        String key = slug != null ? EventTypes.linkKey(slug) : "alert:" + frame.getValue("ruleId", "all");
        publish(List.of(new Event(EventTypes.ALERT_FIRED, key, frame.copy(), null, clock.instant())));
    }

    /** A link's destination started failing its health check. */
    public void linkBroken(String slug, JsonObject data, String checkId) {
        publish(List.of(new Event(EventTypes.LINK_BROKEN, EventTypes.linkKey(slug), data, checkId, clock.instant())));
    }

    /** From the click batcher: clicks counted; summed until the next {@link #flushClicks}. Cheap when nobody subscribes. */
    public void onClicks(List<dev.kurz.analytics.EnrichedClick> slice) {
        if (!clicksWanted) return;
        clicks.add(slice);
    }

    /** Publishes one {@code link.clicked} per link with clicks since the last call, over {@code interval}. */
    public void flushClicks(Duration interval) {
        Instant now = clock.instant();
        List<Event> events = new ArrayList<>();
        for (var e : clicks.drain().entrySet()) {
            JsonObject data = e.getValue().toJson().put("slug", e.getKey()).put("from", now.minus(interval).toString())
                    .put("to", now.toString());
            events.add(new Event(EventTypes.LINK_CLICKED, EventTypes.linkKey(e.getKey()), data, null, now));
        }
        publish(events);
    }

    /** The types some enabled endpoint wants; read again every 2 s (other nodes may change endpoints). */
    Set<String> subscribedTypes() {
        long now = System.nanoTime();
        Set<String> s = subscribed;
        if (s == null || now - subscribedAt > SUBSCRIPTIONS_TTL_MILLIS * 1_000_000) {
            s = store.subscribedTypes();
            subscribed = s;
            subscribedAt = now;
            clicksWanted = s.contains(EventTypes.LINK_CLICKED);
        }
        return s;
    }

    /** Reads the subscriptions again (endpoints changed on other nodes): every 2 s from a scheduler. Blocking. */
    public void refreshSubscriptions() {
        subscribed = null;
        subscribedTypes();
    }

    private void forgetSubscriptions() {
        refreshSubscriptions();
    }

    // ---- validation ----

    private String checkUrl(String url) {
        if (url == null || url.isBlank()) throw WebhookProblems.invalid("url", "is required: the receiver's http or https URL");
        URI u;
        try {
            u = new URI(url.strip());
        } catch (Exception e) {
            throw WebhookProblems.invalid("url", "is not a valid URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null || u.getRawUserInfo() != null || u.getRawFragment() != null) {
            throw WebhookProblems.invalid("url", "must be an absolute http or https URL without user info or fragment");
        }
        if (url.length() > 2048) throw WebhookProblems.invalid("url", "must be at most 2048 characters");
        String host;
        try {
            host = Hosts.canonical(u.getHost());
        } catch (IllegalArgumentException e) {
            throw WebhookProblems.invalid("url", e.getMessage());
        }
        if (!allowPrivate) {
            String why = PrivateAddresses.why(host);
            if (why != null) {
                throw WebhookProblems.invalid("url", "must be a public receiver, and " + why
                        + "; an administrator can allow private receivers with KURZ_WEBHOOK_ALLOW_PRIVATE=true");
            }
        }
        return u.toString();
    }

    private static List<String> checkEvents(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw WebhookProblems.invalid("events", "must list at least one of " + String.join(", ", EventTypes.ALL));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String e : events) {
            if (!EventTypes.KNOWN.contains(e)) {
                throw WebhookProblems.invalid("events", "'" + e + "' is not an event type; known: " + String.join(", ", EventTypes.ALL));
            }
            out.add(e);
        }
        return List.copyOf(out);
    }

    private static String checkDescription(String d) {
        if (d == null) return null;
        if (d.length() > MAX_DESCRIPTION) throw WebhookProblems.invalid("description", "must be at most " + MAX_DESCRIPTION + " characters");
        return d;
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw WebhookProblems.notFound(id);
        }
    }

    // ---- JSON ----

    public static JsonObject toJson(Webhook w) {
        return new JsonObject().put("id", w.id()).put("url", w.url()).put("events", new JsonArray(new ArrayList<Object>(w.events())))
                .put("description", w.description()).put("enabled", w.enabled()).put("createdAt", w.createdAt().toString())
                .put("updatedAt", w.updatedAt().toString())
                .put("failingSince", w.failingSince() == null ? null : w.failingSince().toString())
                .put("disabledReason", w.disabledReason());
    }

    public static JsonObject toJson(Delivery d) {
        JsonArray attempts = new JsonArray();
        for (Delivery.Attempt a : d.history()) {
            attempts.add(new JsonObject().put("at", a.at().toString()).put("statusCode", a.statusCode())
                    .put("durationMs", a.durationMillis()).put("error", a.error()));
        }
        return new JsonObject().put("id", d.id()).put("messageId", d.messageId()).put("type", d.type()).put("state", d.state().label())
                .put("attempts", d.attempts()).put("createdAt", d.createdAt().toString())
                .put("nextAttemptAt", d.state() == Delivery.State.QUEUED ? d.nextAttemptAt().toString() : null)
                .put("finishedAt", d.finishedAt() == null ? null : d.finishedAt().toString())
                .put("lastStatus", d.lastStatus()).put("lastError", d.lastError()).put("requestId", d.requestId())
                .put("payload", new JsonObject(d.payload())).put("history", attempts);
    }
}

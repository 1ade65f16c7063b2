package dev.kurz.alert;

import dev.kurz.link.LinkKeys;
import dev.kurz.link.LinkService;
import dev.kurz.live.ClickSummary;
import dev.kurz.problem.ProblemException;
import dev.kurz.problem.ProblemException.FieldError;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert rules, evaluated on the live stream. Every node sees every batch (its own and, through
 * Redis, the others'), so every node evaluates every rule; {@link AlertStore#tryFire} lets exactly
 * one of them fire, and the cooldown stops repeats. Click counts are kept per minute in a ring of
 * {@code windowMinutes + 1} buckets per rule, so memory per rule is small and fixed.
 *
 * <p>Threading: {@link #onSummaries} and the once-a-second check run on one engine thread; the
 * rule and event API is blocking and thread-safe.
 */
public final class Alerts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    public static final int MAX_WINDOW_MINUTES = 7 * 24 * 60;
    static final Duration RELOAD_EVERY = Duration.ofSeconds(10);
    static final Duration RELOAD_WAIT = Duration.ofSeconds(5);

    private final AlertStore store;
    private final LinkService links;
    private final InstantSource clock;
    private final BiConsumer<String, JsonObject> notify;
    private final ScheduledExecutorService engine;
    private final Map<Long, Window> windows = new HashMap<>();
    private volatile List<AlertRule> rules = List.of();
    private long lastReload = Long.MIN_VALUE;

    /** @param notify sends an alert frame to live dashboards: (slug or null, frame) */
    public Alerts(AlertStore store, LinkService links, InstantSource clock, BiConsumer<String, JsonObject> notify) {
        this.store = store;
        this.links = links;
        this.clock = clock;
        this.notify = notify;
        this.engine = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kurz-alerts").daemon(true).factory());
    }

    public Alerts start() {
        engine.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    // ---- rules and events (blocking) ----

    public AlertRule create(String slug, String kind, Long threshold, Long windowMinutes, Long cooldownMinutes) {
        return create(slug, null, kind, threshold, windowMinutes, cooldownMinutes);
    }

    /**
     * A rule for link {@code slug} on {@code domain} (null: the default domain), or for all links
     * (slug null). The rule keeps the link's key ({@link LinkKeys}), the name its clicks carry.
     */
    public AlertRule create(String slug, String domain, String kind, Long threshold, Long windowMinutes, Long cooldownMinutes) {
        List<FieldError> errors = new ArrayList<>();
        AlertRule.Kind k = null;
        try {
            k = kind == null ? null : AlertRule.Kind.parse(kind);
        } catch (IllegalArgumentException e) {
            // reported below
        }
        if (k == null) errors.add(new FieldError("kind", "must be clicks_above, no_clicks or link_broken"));
        if (k == AlertRule.Kind.CLICKS_ABOVE && (threshold == null || threshold < 1)) {
            errors.add(new FieldError("threshold", "must be a whole number of at least 1 for clicks_above"));
        }
        if (k == AlertRule.Kind.LINK_BROKEN && windowMinutes == null) windowMinutes = 0L; // fires on the event, no window
        else if (windowMinutes == null || windowMinutes < 1 || windowMinutes > MAX_WINDOW_MINUTES) {
            errors.add(new FieldError("windowMinutes", "must be a whole number from 1 to " + MAX_WINDOW_MINUTES));
        }
        long cooldown = cooldownMinutes == null ? 60 : cooldownMinutes;
        if (cooldown < 0 || cooldown > MAX_WINDOW_MINUTES) {
            errors.add(new FieldError("cooldownMinutes", "must be a whole number from 0 to " + MAX_WINDOW_MINUTES));
        }
        if (!errors.isEmpty()) throw new ProblemException("validation", "Invalid alert rule", 400, errors.get(0).field() + ": " + errors.get(0).message(), errors);
        String key = slug == null ? null : links.key(domain, slug); // 400 for an unknown domain
        if (key != null) links.get(key); // 404 for an unknown link
        AlertRule rule = store.insertRule(key, k, k != AlertRule.Kind.CLICKS_ABOVE ? 0 : threshold, windowMinutes.intValue(), (int) cooldown, clock.instant());
        reloadNow();
        return rule;
    }

    public List<AlertRule> list() {
        return store.rules();
    }

    public void delete(long id) {
        if (!store.deleteRule(id)) {
            throw new ProblemException("alert-not-found", "Alert rule not found", 404, "No alert rule has the id " + id);
        }
        reloadNow();
    }

    /**
     * The rules as stored, in effect before a change returns: the live hub summarises clicks only
     * while some rule counts them ({@link #countsClicks}), so a rule that took effect whenever the
     * engine got round to it missed the clicks in between. Waits for the engine at most
     * {@link #RELOAD_WAIT}; past that, the next reload picks the change up.
     */
    private void reloadNow() {
        try {
            engine.submit(this::reload).get(RELOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            log.warn("alert rules not reloaded at once (the next reload will): {}", e.toString());
        }
    }

    public List<AlertEvent> events(Long beforeId, int limit) {
        return store.events(beforeId, limit);
    }

    // ---- evaluation (engine thread) ----

    /** A link health check found the link's destination broken (once, on the transition): fires its link_broken rules. */
    public void onLinkBroken(String slug, String why) {
        engine.execute(() -> {
            maybeReload();
            for (AlertRule r : rules) {
                if (r.kind() == AlertRule.Kind.LINK_BROKEN && r.matches(slug)) fire(r, 1, "'" + slug + "' is broken: " + why);
            }
        });
    }

    /** True when a rule counts clicks: the live hub must then summarise clicks even with no dashboard open. */
    public boolean countsClicks() {
        for (AlertRule r : rules) if (r.kind() != AlertRule.Kind.LINK_BROKEN) return true;
        return false;
    }

    /** From the live hub: the summaries of one batch, local or remote. */
    public void onSummaries(List<ClickSummary> summaries) {
        if (summaries.isEmpty()) return;
        engine.execute(() -> record(summaries));
    }

    void record(List<ClickSummary> summaries) {
        maybeReload();
        long now = clock.millis();
        long minute = now / 60_000;
        for (AlertRule r : rules) {
            Window w = windows.computeIfAbsent(r.id(), id -> new Window(r.windowMinutes(), now));
            for (ClickSummary s : summaries) {
                if (!r.matches(s.slug()) || s.clicks() == 0) continue;
                w.add(minute, s.clicks());
                w.lastClickAt = now;
            }
            if (r.kind() == AlertRule.Kind.CLICKS_ABOVE) {
                long sum = w.sum(minute);
                if (sum > r.threshold()) {
                    fire(r, sum, "more than " + r.threshold() + " clicks within " + r.windowMinutes() + " min on "
                            + target(r) + " (" + sum + ")");
                }
            }
        }
    }

    void check() {
        try {
            maybeReload();
            long now = clock.millis();
            for (AlertRule r : rules) {
                if (r.kind() != AlertRule.Kind.NO_CLICKS) continue;
                Window w = windows.computeIfAbsent(r.id(), id -> new Window(r.windowMinutes(), Math.max(now, r.createdAt().toEpochMilli())));
                long silentFor = now - w.lastClickAt;
                if (silentFor >= r.windowMinutes() * 60_000L) {
                    fire(r, silentFor / 60_000, "no clicks on " + target(r) + " for " + r.windowMinutes() + " min");
                }
            }
        } catch (RuntimeException e) {
            log.warn("alert check failed: {}", e.toString());
        }
    }

    private void fire(AlertRule r, long value, String message) {
        Instant now = clock.instant();
        try {
            if (!store.tryFire(r.id(), now, now.minus(Duration.ofMinutes(r.cooldownMinutes())))) return;
            AlertEvent e = store.insertEvent(r.id(), r.slug(), r.kind(), value, message, now);
            log.info("alert {}: {}", r.id(), message);
            notify.accept(r.slug(), new JsonObject().put("type", "alert").put("rule", toJson(r)).put("slug", r.slug())
                    .put("value", value).put("message", message).put("t", e.firedAt().toString()));
        } catch (RuntimeException ex) {
            log.warn("firing alert {} failed: {}", r.id(), ex.toString());
        }
    }

    private void maybeReload() {
        long now = System.nanoTime();
        if (lastReload == Long.MIN_VALUE || now - lastReload > RELOAD_EVERY.toNanos()) reload();
    }

    void reload() {
        try {
            rules = store.rules();
            lastReload = System.nanoTime();
            windows.keySet().retainAll(rules.stream().map(AlertRule::id).toList());
        } catch (RuntimeException e) {
            log.warn("loading alert rules failed: {}", e.toString());
        }
    }

    private static String target(AlertRule r) {
        return r.slug() == null ? "all links" : "'" + r.slug() + "'";
    }

    public static JsonObject toJson(AlertRule r) {
        return new JsonObject().put("id", r.id()).put("link", slugOf(r.slug())).put("domain", domainOf(r.slug())).put("kind", r.kind().label)
                .put("threshold", r.kind() == AlertRule.Kind.CLICKS_ABOVE ? r.threshold() : null)
                .put("windowMinutes", r.windowMinutes()).put("cooldownMinutes", r.cooldownMinutes())
                .put("createdAt", r.createdAt().toString()).put("lastFiredAt", r.lastFiredAt() == null ? null : r.lastFiredAt().toString());
    }

    public static JsonObject toJson(AlertEvent e) {
        return new JsonObject().put("id", e.id()).put("ruleId", e.ruleId()).put("link", slugOf(e.slug())).put("domain", domainOf(e.slug()))
                .put("kind", e.kind().label)
                .put("value", e.value()).put("message", e.message()).put("firedAt", e.firedAt().toString());
    }

    @Override
    public void close() {
        engine.shutdownNow();
    }

    /** Clicks per minute over the last {@code minutes} minutes, in a ring. */
    static final class Window {
        final long[] counts;
        final long[] minuteOf;
        long lastClickAt;

        Window(int minutes, long now) {
            counts = new long[minutes + 1];
            minuteOf = new long[minutes + 1];
            java.util.Arrays.fill(minuteOf, -1);
            lastClickAt = now;
        }

        void add(long minute, long n) {
            int i = (int) (minute % counts.length);
            if (minuteOf[i] != minute) {
                minuteOf[i] = minute;
                counts[i] = 0;
            }
            counts[i] += n;
        }

        /** Clicks in the current minute and the {@code counts.length - 1} before it. */
        long sum(long minute) {
            long s = 0;
            for (int i = 0; i < counts.length; i++) {
                if (minuteOf[i] > minute - counts.length) s += counts[i];
            }
            return s;
        }
    }

    /** The slug of a rule's link key (null: all links). */
    private static String slugOf(String key) {
        return key == null ? null : LinkKeys.slug(key);
    }

    /** The branded domain of a rule's link key, null on the default domain (and for all links). */
    private static String domainOf(String key) {
        return key == null ? null : LinkKeys.domain(key);
    }

}

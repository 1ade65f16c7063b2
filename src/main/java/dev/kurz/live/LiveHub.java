package dev.kurz.live;

import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.Visit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live dashboards: rooms per link and one for all links, fed by the click batcher.
 *
 * <p>The batcher hands every drained slice of clicks to {@link #onClicks}; every {@code tick}
 * (100 ms) the hub turns what arrived into one batch — a summary per link and up to
 * {@link #MAX_SINGLES_PER_TICK} single clicks — publishes it to the other nodes through the
 * {@link Relay} (Redis), and delivers it to its own subscribers. Batches from other nodes arrive
 * through {@link #deliverRemote}. Delivery queues one task per affected connection in the
 * {@link Outbox} of that connection's event loop, where {@link LiveConnection} coalesces for slow
 * clients.
 *
 * <p>Why an outbox per loop: the sockets of the dashboards share their event loops with the
 * redirects. A tick's fan-out to 1,000 dashboards is tens of milliseconds of writes; posted as
 * 1,000 tasks, the loop ran them back to back (Netty runs its task queue until it is empty) and
 * every redirect that arrived meanwhile waited for all of them. The outbox runs them for at most
 * {@link #SLICE} at a time and then lets the loop serve its I/O before the next slice.
 */
public final class LiveHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveHub.class);
    static final int MAX_SINGLES_PER_TICK = 500;
    public static final int MAX_SUBSCRIPTIONS = 1000;
    /** How long deliveries may hold an event loop before it serves its sockets again (a redirect waits at most about this long). */
    static final Duration SLICE = Duration.ofMillis(1);

    /** Carries batches, link events and alerts to the other nodes. */
    public interface Relay {
        void publish(JsonObject message);

        Relay NONE = message -> {};
    }

    private final InstantSource clock;
    private final java.util.function.LongSupplier nanos;
    private final long sliceNanos;
    /** One per event loop (keyed by {@link Transport#loop()}), so at most as many as there are loops. */
    private final Map<Object, Outbox> outboxes = new ConcurrentHashMap<>();
    private final String node = java.util.UUID.randomUUID().toString();
    private final Map<String, Set<LiveConnection>> rooms = new ConcurrentHashMap<>();
    private final Set<LiveConnection> allRoom = ConcurrentHashMap.newKeySet();
    private final Set<LiveConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private volatile Relay relay = Relay.NONE;
    private volatile Consumer<List<ClickSummary>> summaryListener = s -> {};
    private volatile java.util.function.BooleanSupplier summariesWanted = () -> false;
    private volatile java.util.function.LongConsumer remoteRevocations = id -> {};
    private final Object lock = new Object();
    /**
     * Per slug, clicks by their traits (interned by the enricher, so compared by identity): one
     * count per click here, the breakdowns are made once per link at the tick.
     */
    private Map<String, Map<Visit.Traits, long[]>> counts = new HashMap<>();
    /** Per link, what its smart clicks of the tick were sent to (plain links have no entry). */
    private Map<String, Map<String, long[]>> targets = new HashMap<>();
    private java.util.ArrayDeque<EnrichedClick> singles = new java.util.ArrayDeque<>();

    public LiveHub(InstantSource clock, Duration tick) {
        this(clock, tick, System::nanoTime, SLICE);
    }

    /** @param nanos a monotonic clock in nanoseconds (tests move it by hand); {@code slice}: see {@link #SLICE} */
    LiveHub(InstantSource clock, Duration tick, java.util.function.LongSupplier nanos, Duration slice) {
        this.clock = clock;
        this.nanos = nanos;
        this.sliceNanos = slice.toNanos();
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kurz-live").daemon(true).factory());
        ticker.scheduleAtFixedRate(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void relay(Relay relay) {
        this.relay = relay;
    }

    /**
     * Told about every batch's summaries, local and remote (alert rules evaluate on them);
     * {@code wanted} says whether the listener needs them now (a rule counts clicks), so a node
     * nobody watches still summarises clicks for its rules.
     */
    public void onSummaries(Consumer<List<ClickSummary>> listener, java.util.function.BooleanSupplier wanted) {
        this.summaryListener = listener;
        this.summariesWanted = wanted;
    }

    // ---- connections (called on the connection's event loop) ----

    public LiveConnection connect(Transport t) {
        LiveConnection c = new LiveConnection(t);
        connections.add(c);
        return c;
    }

    /** Adds subscriptions; false when the connection would exceed {@link #MAX_SUBSCRIPTIONS}. */
    public boolean subscribe(LiveConnection c, List<String> slugs, boolean all) {
        if (c.links.size() + slugs.size() > MAX_SUBSCRIPTIONS) return false;
        for (String s : slugs) {
            if (c.links.add(s)) rooms.computeIfAbsent(s, k -> ConcurrentHashMap.newKeySet()).add(c);
        }
        if (all) {
            c.all = true;
            allRoom.add(c);
        }
        return true;
    }

    public void unsubscribe(LiveConnection c, List<String> slugs, boolean all) {
        for (String s : slugs) {
            if (c.links.remove(s)) leaveRoom(c, s);
        }
        if (all) {
            c.all = false;
            allRoom.remove(c);
        }
    }

    public void disconnect(LiveConnection c) {
        connections.remove(c);
        allRoom.remove(c);
        for (String s : c.links) leaveRoom(c, s);
        c.links.clear();
    }

    private void leaveRoom(LiveConnection c, String slug) {
        rooms.computeIfPresent(slug, (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
    }

    // ---- revoked keys ----

    /** The ids of the API keys behind open connections (for the revocation sweep). */
    public Set<Long> keyIds() {
        Set<Long> ids = new java.util.HashSet<>();
        for (LiveConnection c : connections) {
            long id = c.keyId();
            if (id >= 0) ids.add(id);
        }
        return ids;
    }

    /** Closes every connection authenticated with this key; returns how many. */
    public int closeKey(long keyId) {
        int n = 0;
        for (LiveConnection c : connections) {
            if (c.keyId() == keyId) {
                n++;
                c.transport.run(() -> c.close(LiveConnection.KEY_REVOKED, "the API key was revoked"));
            }
        }
        return n;
    }

    /** A key was revoked on this node: its connections here close, and the other nodes are told at once. */
    public void keyRevoked(long keyId) {
        relay.publish(new JsonObject().put("node", node).put("kind", "key-revoked").put("keyId", keyId));
        closeKey(keyId);
    }

    /** Told the id of every key another node revoked (and published), e.g. to forget cached principals. */
    public void onRemoteKeyRevoked(java.util.function.LongConsumer listener) {
        this.remoteRevocations = listener;
    }

    public int connections() {
        return connections.size();
    }

    public int rooms() {
        return rooms.size();
    }

    // ---- inputs ----

    /** From the batcher thread: a slice of freshly enriched clicks. */
    public void onClicks(List<EnrichedClick> slice) {
        // Nobody to tell, here or (without a relay) anywhere: the batcher's time is better spent elsewhere.
        // Alert rules are evaluated on the summaries, so they keep the counting going when nobody watches.
        if (connections.isEmpty() && relay == Relay.NONE && !summariesWanted.getAsBoolean()) return;
        synchronized (lock) {
            for (EnrichedClick c : slice) {
                counts.computeIfAbsent(c.slug(), k -> new IdentityHashMap<>())
                        .computeIfAbsent(c.visit().traits(), k -> new long[1])[0]++;
                if (c.target() != null) targets.computeIfAbsent(c.slug(), k -> new HashMap<>()).computeIfAbsent(c.target(), k -> new long[1])[0]++;
                // The newest clicks of the tick are the ones worth showing.
                if (singles.size() == MAX_SINGLES_PER_TICK) singles.removeFirst();
                singles.add(c); // its frame is built at the tick, only for the ones kept
            }
        }
    }

    /** A link was created, updated or deleted (on this node): tell dashboards here and elsewhere. */
    public void onLink(String op, String slug, JsonObject link) {
        JsonObject frame = new JsonObject().put("type", "link").put("op", op).put("link", link);
        relay.publish(new JsonObject().put("node", node).put("kind", "link").put("slug", slug).put("frame", frame));
        deliverOther(slug, frame);
    }

    /** An alert fired: to the link's room (if any) and to every all-links subscriber. */
    public void onAlert(String slug, JsonObject frame) {
        relay.publish(new JsonObject().put("node", node).put("kind", "alert").put("slug", slug).put("frame", frame));
        deliverOther(slug, frame);
    }

    /** An import's progress (a frame of type "import"): to every all-links subscriber, here and on the other nodes. */
    public void onImport(JsonObject frame) {
        relay.publish(new JsonObject().put("node", node).put("kind", "import").put("frame", frame));
        deliverOther(null, frame);
    }

    /** A message another node published. */
    public void deliverRemote(JsonObject message) {
        if (node.equals(message.getString("node"))) return;
        switch (message.getString("kind", "")) {
            case "batch" -> {
                JsonArray json = message.getJsonArray("clicks");
                List<ClickSummary> summaries = new ArrayList<>(json.size());
                for (Object o : json) summaries.add(ClickSummary.fromJson((JsonObject) o));
                deliverBatch(summaries, json, message.getJsonArray("singles"));
            }
            case "link", "alert", "import" -> deliverOther(message.getString("slug"), message.getJsonObject("frame"));
            case "key-revoked" -> {
                long keyId = message.getLong("keyId", -1L);
                remoteRevocations.accept(keyId);
                closeKey(keyId);
            }
            default -> log.debug("unknown live message {}", message.getString("kind"));
        }
    }

    // ---- the tick ----

    /**
     * A link's clicks of one tick, with the breakdowns named as the stats name them;
     * {@code byTarget}: what its smart clicks were sent to (empty for a plain link).
     */
    static ClickSummary summary(String slug, long now, Map<Visit.Traits, long[]> byTraits, Map<String, long[]> byTarget) {
        long clicks = 0;
        long human = 0;
        Map<String, Long> countries = new HashMap<>();
        Map<String, Long> referrers = new HashMap<>();
        Map<String, Long> browsers = new HashMap<>();
        Map<String, Long> os = new HashMap<>();
        Map<String, Long> devices = new HashMap<>();
        for (Map.Entry<Visit.Traits, long[]> e : byTraits.entrySet()) {
            Visit.Traits t = e.getKey();
            long n = e.getValue()[0];
            clicks += n;
            if (!t.bot()) human += n;
            countries.merge(named(t.country(), "unknown"), n, Long::sum);
            referrers.merge(named(t.referrerHost(), "direct"), n, Long::sum);
            browsers.merge(named(t.browser(), "unknown"), n, Long::sum);
            os.merge(named(t.os(), "unknown"), n, Long::sum);
            devices.merge(named(t.device(), "unknown"), n, Long::sum);
        }
        Map<String, Long> targets = new HashMap<>();
        byTarget.forEach((target, n) -> targets.put(target, n[0]));
        return new ClickSummary(slug, now, clicks, human, countries, referrers, browsers, os, devices, targets);
    }

    private static String named(String value, String unknown) {
        return value == null || value.isEmpty() ? unknown : value;
    }

    private void tick() {
        try {
            Map<String, Map<Visit.Traits, long[]>> c;
            Map<String, Map<String, long[]>> served;
            java.util.ArrayDeque<EnrichedClick> si;
            synchronized (lock) {
                if (counts.isEmpty()) return;
                c = counts;
                served = targets;
                si = singles;
                counts = new HashMap<>();
                targets = new HashMap<>();
                singles = new java.util.ArrayDeque<>();
            }
            long now = clock.millis();
            List<ClickSummary> local = new ArrayList<>(c.size());
            JsonArray summaries = new JsonArray();
            c.forEach((slug, byTraits) -> {
                ClickSummary sum = summary(slug, now, byTraits, served.getOrDefault(slug, Map.of()));
                local.add(sum);
                summaries.add(sum.toJson());
            });
            JsonArray singleFrames = new JsonArray(new ArrayList<>(si.size()));
            for (EnrichedClick e : si) singleFrames.add(singleFrame(e));
            relay.publish(new JsonObject().put("node", node).put("kind", "batch").put("clicks", summaries).put("singles", singleFrames));
            deliverBatch(local, summaries, singleFrames);
        } catch (RuntimeException e) {
            log.warn("live tick failed: {}", e.toString());
        }
    }

    /** {@code summariesJson.get(i)} is {@code summaries.get(i)} as JSON: each is encoded once, not per subscriber. */
    private void deliverBatch(List<ClickSummary> summaries, JsonArray summariesJson, JsonArray singleFrames) {
        Map<LiveConnection, List<Object>> perConnection = new IdentityHashMap<>();
        List<Object> allLinks = new ArrayList<>();
        for (int i = 0; i < summaries.size(); i++) {
            ClickSummary s = summaries.get(i);
            addToTargets(perConnection, allLinks, s.slug(), new Object[] {s, summariesJson.getJsonObject(i).encode()});
        }
        if (singleFrames != null) {
            for (Object o : singleFrames) {
                JsonObject f = (JsonObject) o;
                addToTargets(perConnection, allLinks, f.getString("slug"), f.encode());
            }
        }
        SharedBatch shared = new SharedBatch(allLinks);
        for (LiveConnection c : allRoom) deliver(c, () -> c.allLinks(shared, clock.millis()));
        perConnection.forEach((c, items) -> deliver(c, () -> {
            long now = clock.millis();
            for (Object item : items) {
                if (item instanceof Object[] summary) c.clicks((ClickSummary) summary[0], (String) summary[1]);
                else c.single((String) item, now);
            }
        }));
        for (Outbox o : outboxes.values()) o.kick();
        try {
            summaryListener.accept(summaries);
        } catch (RuntimeException e) {
            log.warn("live summary listener failed: {}", e.toString());
        }
    }

    private void deliverOther(String slug, JsonObject frame) {
        String encoded = frame.encode();
        for (LiveConnection c : targets(slug)) {
            deliver(c, () -> c.other(encoded));
        }
        for (Outbox o : outboxes.values()) o.kick();
    }

    /**
     * Adds {@code item} to the list of every subscriber of the slug's room that does not follow all
     * links, and once to the all-links list (see {@link SharedBatch}).
     */
    private void addToTargets(Map<LiveConnection, List<Object>> perConnection, List<Object> allLinks, String slug, Object item) {
        Set<LiveConnection> room = slug == null ? null : rooms.get(slug);
        if (room != null) {
            boolean checkAll = !allRoom.isEmpty();
            for (LiveConnection c : room) {
                if (!checkAll || !allRoom.contains(c)) perConnection.computeIfAbsent(c, k -> new ArrayList<>()).add(item);
            }
        }
        allLinks.add(item);
    }

    /**
     * Hands the connection a task that adds frames to what it has pending, then writes. On a known
     * loop the connection waits in that loop's outbox once, however many tasks pile up behind it: a
     * loop that falls behind catches up with one write per connection (summaries coalesce), and
     * the outbox never holds more than the loop's connections. The caller kicks the outboxes.
     */
    private void deliver(LiveConnection c, Runnable task) {
        Object loop = c.transport.loop();
        if (loop == null) {
            c.transport.run(() -> {
                task.run();
                c.flush(clock.millis());
            });
            return;
        }
        c.incoming.add(task);
        if (c.queued.compareAndSet(false, true)) {
            outboxes.computeIfAbsent(loop, k -> new Outbox(c.transport)).queue.add(() -> {
                c.queued.set(false);
                Runnable t;
                while ((t = c.incoming.poll()) != null) t.run();
                c.flush(clock.millis());
            });
        }
    }

    /**
     * The deliveries waiting for one event loop. Runs on that loop for at most a slice, then hands
     * the loop back to its I/O ({@link Transport#runAfterIo}) and goes on after it.
     */
    private final class Outbox implements Runnable {
        /** A connection's transport on this loop: any one will do, it is only used to get onto the loop. */
        private final Transport via;
        private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();

        Outbox(Transport via) {
            this.via = via;
        }

        void kick() {
            if (!queue.isEmpty() && !scheduled.get() && scheduled.compareAndSet(false, true)) via.run(this);
        }

        @Override
        public void run() {
            long end = nanos.getAsLong() + sliceNanos;
            Runnable task;
            while ((task = queue.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("live delivery failed: {}", e.toString());
                }
                if (nanos.getAsLong() - end >= 0 && !queue.isEmpty()) {
                    via.runAfterIo(this);
                    return;
                }
            }
            scheduled.set(false);
            kick(); // a task queued between the last poll and the reset
        }
    }

    /** Subscribers of a link's room and of all links, each once. */
    private Set<LiveConnection> targets(String slug) {
        Set<LiveConnection> room = slug == null ? null : rooms.get(slug);
        if (room == null || room.isEmpty()) return allRoom;
        if (allRoom.isEmpty()) return room;
        Set<LiveConnection> both = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        both.addAll(room);
        both.addAll(allRoom);
        return both;
    }

    private static JsonObject singleFrame(EnrichedClick c) {
        return new JsonObject().put("type", "click").put("slug", c.slug()).put("t", Instant.ofEpochMilli(c.epochMillis()).toString())
                .put("country", c.country()).put("browser", c.browser()).put("os", c.os()).put("device", c.device())
                .put("referrerHost", c.referrerHost()).put("bot", c.bot()).put("target", c.target());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        for (LiveConnection c : connections) c.transport.run(() -> c.close(1001, "server shutting down"));
    }
}

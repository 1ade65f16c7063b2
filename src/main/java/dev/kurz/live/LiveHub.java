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
 * through {@link #deliverRemote}. Delivery posts one task per affected connection to that
 * connection's event loop, where {@link LiveConnection} coalesces for slow clients.
 */
public final class LiveHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveHub.class);
    static final int MAX_SINGLES_PER_TICK = 500;
    public static final int MAX_SUBSCRIPTIONS = 1000;

    /** Carries batches, link events and alerts to the other nodes. */
    public interface Relay {
        void publish(JsonObject message);

        Relay NONE = message -> {};
    }

    private final InstantSource clock;
    private final String node = java.util.UUID.randomUUID().toString();
    private final Map<String, Set<LiveConnection>> rooms = new ConcurrentHashMap<>();
    private final Set<LiveConnection> allRoom = ConcurrentHashMap.newKeySet();
    private final Set<LiveConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private volatile Relay relay = Relay.NONE;
    private volatile Consumer<List<ClickSummary>> summaryListener = s -> {};
    private volatile java.util.function.LongConsumer remoteRevocations = id -> {};
    private final Object lock = new Object();
    /**
     * Per slug, clicks by their traits (interned by the enricher, so compared by identity): one
     * count per click here, the breakdowns are made once per link at the tick.
     */
    private Map<String, Map<Visit.Traits, long[]>> counts = new HashMap<>();
    private java.util.ArrayDeque<EnrichedClick> singles = new java.util.ArrayDeque<>();

    public LiveHub(InstantSource clock, Duration tick) {
        this.clock = clock;
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kurz-live").daemon(true).factory());
        ticker.scheduleAtFixedRate(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void relay(Relay relay) {
        this.relay = relay;
    }

    /** Told about every batch's summaries, local and remote (alert rules evaluate on them). */
    public void onSummaries(Consumer<List<ClickSummary>> listener) {
        this.summaryListener = listener;
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
        if (connections.isEmpty() && relay == Relay.NONE) return;
        synchronized (lock) {
            for (EnrichedClick c : slice) {
                counts.computeIfAbsent(c.slug(), k -> new IdentityHashMap<>())
                        .computeIfAbsent(c.visit().traits(), k -> new long[1])[0]++;
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

    /** A link's clicks of one tick, with the breakdowns named as the stats name them. */
    static ClickSummary summary(String slug, long now, Map<Visit.Traits, long[]> byTraits) {
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
        return new ClickSummary(slug, now, clicks, human, countries, referrers, browsers, os, devices);
    }

    private static String named(String value, String unknown) {
        return value == null || value.isEmpty() ? unknown : value;
    }

    private void tick() {
        try {
            Map<String, Map<Visit.Traits, long[]>> c;
            java.util.ArrayDeque<EnrichedClick> si;
            synchronized (lock) {
                if (counts.isEmpty()) return;
                c = counts;
                si = singles;
                counts = new HashMap<>();
                singles = new java.util.ArrayDeque<>();
            }
            long now = clock.millis();
            List<ClickSummary> local = new ArrayList<>(c.size());
            JsonArray summaries = new JsonArray();
            c.forEach((slug, byTraits) -> {
                ClickSummary sum = summary(slug, now, byTraits);
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
        for (int i = 0; i < summaries.size(); i++) {
            ClickSummary s = summaries.get(i);
            Object[] item = {s, summariesJson.getJsonObject(i).encode()};
            for (LiveConnection c : targets(s.slug())) perConnection.computeIfAbsent(c, k -> new ArrayList<>()).add(item);
        }
        if (singleFrames != null) {
            for (Object o : singleFrames) {
                JsonObject f = (JsonObject) o;
                String encoded = f.encode();
                for (LiveConnection c : targets(f.getString("slug"))) perConnection.computeIfAbsent(c, k -> new ArrayList<>()).add(encoded);
            }
        }
        perConnection.forEach((c, items) -> c.transport.run(() -> {
            long now = clock.millis();
            for (Object item : items) {
                if (item instanceof Object[] summary) c.clicks((ClickSummary) summary[0], (String) summary[1]);
                else c.single((String) item, now);
            }
            c.flush(now);
        }));
        try {
            summaryListener.accept(summaries);
        } catch (RuntimeException e) {
            log.warn("live summary listener failed: {}", e.toString());
        }
    }

    private void deliverOther(String slug, JsonObject frame) {
        String encoded = frame.encode();
        for (LiveConnection c : targets(slug)) {
            c.transport.run(() -> {
                c.other(encoded);
                c.flush(clock.millis());
            });
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
